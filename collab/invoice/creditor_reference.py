"""The structured creditor reference (ISO 11649, "RF reference") printed on every issued invoice.

A reference is "RF", two check digits, then 1 to 21 letters or digits. The check digits are
those of ISO 7064 MOD 97-10, as in IBANs: move "RF" and the check digits to the end, write each
letter as a number (A = 10 ... Z = 35), and the whole number modulo 97 must be 1. A payer's
bank can therefore refuse a mistyped reference before the money leaves, and our bank
reconciliation (docs/reconciliation.md) can trust one that validates.

People read it in groups of four ("RF18 5390 0754 7034", the standard's example); machines
write it without spaces. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from typing import Final

PREFIX: Final = "RF"
MAX_BODY: Final = 21  # the reference proper, after "RF" and the check digits
MAX_LENGTH: Final = len(PREFIX) + 2 + MAX_BODY  # 25
_BODY: Final = re.compile(r"^[A-Z0-9]{1,21}$")
_REFERENCE: Final = re.compile(r"^RF[0-9]{2}[A-Z0-9]{1,21}$")


class NoReference(ValueError):
    """An invoice number from which no creditor reference can be made."""


def _as_number(text: str) -> int:
    """Letters as 10..35, digits as themselves, concatenated (ISO 7064 / ISO 13616)."""
    return int("".join(str(int(char, 36)) for char in text))


def check_digits(body: str) -> str:
    """The two check digits of the reference `body` (letters and digits, uppercase)."""
    return f"{98 - _as_number(body + PREFIX + '00') % 97:02d}"


def make(invoice_number: str) -> str:
    """The creditor reference of an invoice number, compact ("RF47F20260042" for
    "F2026-0042"): its letters and digits, uppercase; every other character is dropped.

    Raises:
        NoReference: the number has no letter or digit, or more than 21 of them.
    """
    body = "".join(char for char in invoice_number.upper() if char.isascii() and char.isalnum())
    if not _BODY.match(body):
        raise NoReference(
            f"an RF reference holds 1 to {MAX_BODY} letters or digits, "
            f"{invoice_number!r} gives {len(body)}"
        )
    return f"{PREFIX}{check_digits(body)}{body}"


def compact(reference: str) -> str:
    """A reference as typed or printed, without its spaces and in upper case."""
    return "".join(reference.split()).upper()


def is_valid(reference: str) -> bool:
    """Whether `reference` is a valid creditor reference, compact or in the print format
    (spaces anywhere, typically every four characters; lower case accepted)."""
    found = compact(reference)
    if not _REFERENCE.match(found):
        return False
    return _as_number(found[4:] + found[:4]) % 97 == 1


def printed(reference: str) -> str:
    """The print format: groups of four characters ("RF18 5390 0754 7034")."""
    found = compact(reference)
    return " ".join(found[i : i + 4] for i in range(0, len(found), 4))


def find(text: str) -> list[str]:
    """The valid creditor references written in a free text (a bank's remittance line),
    compact, in order of appearance: "RF" at a word's start, two digits, then letters and
    digits possibly in groups separated by single spaces. Every valid reading that ends at a
    word's end is given, the longest first: "RF22 IA THANKS" may be read "RF22IA" or, by a
    1-in-97 chance, "RF22IATHANKS" too, and only the caller knows which one it expects."""
    upper = text.upper()
    found: list[str] = []
    for start in (m.start() for m in re.finditer(r"(?<![A-Z0-9])RF[0-9]{2}", upper)):
        chars: list[str] = []
        ends: list[int] = []  # lengths of `chars` at which a word ends
        position = start
        while position < len(upper) and len(chars) < MAX_LENGTH:
            char = upper[position]
            if char.isascii() and char.isalnum():
                chars.append(char)
            elif char == " " and chars and upper[position - 1] != " ":
                ends.append(len(chars))
            else:
                break
            position += 1
        if position >= len(upper) or not (upper[position].isascii() and upper[position].isalnum()):
            ends.append(len(chars))
        for length in sorted(set(ends), reverse=True):
            candidate = "".join(chars[:length])
            if len(candidate) > 4 and is_valid(candidate) and candidate not in found:
                found.append(candidate)
    return found
