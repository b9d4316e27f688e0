"""The generic CSV journal: one line per debit or credit, for accounting packages that read
CSV rather than the FEC. UTF-8, comma separated, a dot as the decimal sign, amounts in the
entry's own currency (named on every line).

A spreadsheet opens it, so no cell may start a formula (CSV injection, OWASP): a cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe. Amounts
are never negative here (a credit is a credit), so no number is touched."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.ledger import Entry
from collab.invoice.lettering import Letter

COLUMNS: Final = (
    "date",
    "journal",
    "entry",
    "account",
    "account_label",
    "aux_account",
    "aux_label",
    "label",
    "debit",
    "credit",
    "document",
    "document_date",
    "currency",
    "lettering",
    "lettering_date",
)
MEDIA_TYPE: Final = "text/csv; charset=utf-8"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def amount(value: Decimal, currency: str) -> str:
    """The amount with its currency's minor units (ISO 4217): "12.50" EUR, "1200" JPY."""
    try:
        places = minor_units(currency)
    except UnknownCurrency:
        places = 2
    return f"{value:.{places}f}"


def write(
    numbered: Sequence[tuple[str, Entry]], letters: Mapping[str, Letter] | None = None
) -> bytes:
    """The journal; `letters` by entry number, for its customer line (as in the FEC)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, entry in numbered:
        letter = (letters or {}).get(number)
        for posting in entry.postings:
            lettered = letter if posting.aux else None
            row = (
                entry.day.isoformat(),
                entry.journal,
                number,
                posting.account,
                posting.account_label,
                posting.aux,
                posting.aux_label,
                entry.label,
                amount(posting.debit, entry.currency),
                amount(posting.credit, entry.currency),
                entry.piece_ref,
                entry.piece_date.isoformat(),
                entry.currency,
                lettered.code if lettered else "",
                lettered.day.isoformat() if lettered else "",
            )
            writer.writerow([cell(value) for value in row])
    return out.getvalue().encode("utf-8")
