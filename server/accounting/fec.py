"""The FEC (Fichier des Écritures Comptables, LPF article A47 A-1) as bytes: a pure writer.

What it follows (docs/integrations.md, "Accounting export", cites the texts):

- a flat file, the first record the 18 field names in the order of A47 A-1, records separated
  by CR LF, fields by one separator (`|` or a tab) that appears in no field;
- characters of ISO 8859-15 (A47 A-1 names ASCII, ISO 8859-15 or EBCDIC): text is encoded in
  it, a character it lacks becomes its unaccented letter, else `?`;
- dates AAAAMMJJ, amounts with a comma as the decimal sign and no thousands separator, one
  line per debit or credit (the other column `0,00`);
- CompAuxNum/CompAuxLib, EcritureLet/DateLet and Montantdevise/Idevise empty or filled in
  pairs; every other field filled; EcritureLet/DateLet on the customer lines of the groups
  settled within the file (collab/invoice/lettering.py);
- named `<SIREN>FEC<AAAAMMJJ of the closing date>.txt`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from collab.invoice.ledger import Entry
from collab.invoice.lettering import Letter

COLUMNS: Final = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
SEPARATORS: Final = {"pipe": "|", "tab": "\t"}
ENCODING: Final = "iso-8859-15"
MEDIA_TYPE: Final = "text/plain; charset=iso-8859-15"
ACCOUNTING_CURRENCY: Final = "EUR"
_MAX_TEXT: Final = 200  # no limit in the texts; a bound on what one field can carry
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f|\u2028\u2029]")


def _latin9(char: str) -> str:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        base = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in base if not unicodedata.combining(c))
        try:
            kept.encode(ENCODING)
        except UnicodeEncodeError:
            return "?"
        return kept or "?"
    return char


def text(value: str) -> str:
    """A field's text: no control character or separator (either of them: the file's
    separator must be unambiguous), one space between words, ISO 8859-15 only."""
    clean = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", value)).split())
    return "".join(_latin9(c) for c in clean)[:_MAX_TEXT]


def day(value: date) -> str:
    return value.strftime("%Y%m%d")


def amount(value: Decimal) -> str:
    """`1234,50`: two decimals, a comma, no thousands separator (EUR has two minor units)."""
    return f"{value:.2f}".replace(".", ",")


def file_name(siren: str, closing: date) -> str:
    return f"{siren}FEC{day(closing)}.txt"


def lines(
    numbered: Sequence[tuple[str, Entry]], letters: Mapping[str, Letter] | None = None
) -> list[list[str]]:
    """The records after the header, as text fields (before encoding); `letters` by entry
    number, for its customer line (the one with an auxiliary account)."""
    rows = []
    for number, entry in numbered:
        if entry.currency != ACCOUNTING_CURRENCY:
            raise ValueError(f"{entry.piece_ref}: {entry.currency} has no EUR amount")
        letter = (letters or {}).get(number)
        for posting in entry.postings:
            lettered = letter if posting.aux else None
            rows.append(
                [
                    text(entry.journal),
                    text(entry.journal_label),
                    number,
                    day(entry.day),
                    text(posting.account),
                    text(posting.account_label),
                    text(posting.aux),
                    text(posting.aux_label) if posting.aux else "",
                    text(entry.piece_ref),
                    day(entry.piece_date),
                    text(entry.label) or text(entry.piece_ref),
                    amount(posting.debit),
                    amount(posting.credit),
                    lettered.code if lettered else "",
                    day(lettered.day) if lettered else "",
                    day(entry.valid_day),
                    "",
                    "",
                ]
            )
    return rows


def write(
    numbered: Sequence[tuple[str, Entry]],
    separator: str,
    letters: Mapping[str, Letter] | None = None,
) -> bytes:
    """The whole file; `separator` is a key of SEPARATORS."""
    sep = SEPARATORS[separator]
    records = [sep.join(COLUMNS), *(sep.join(row) for row in lines(numbered, letters))]
    return ("\r\n".join(records) + "\r\n").encode(ENCODING)
