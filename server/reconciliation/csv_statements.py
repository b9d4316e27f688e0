"""Reading CSV bank exports with a column mapping (`Mapping`) into the credits they hold
(docs/reconciliation.md).

Pure functions over bytes, no I/O. Separate from the camt.053 reader: a CSV export has no
schema, so what it needs is the mapping and tolerant amount and date parsing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from server.reconciliation.credits import (
    MAX_BYTES,
    MAX_ENTRIES,
    NAME_LENGTH,
    REFERENCE_LENGTH,
    Credit,
    Statement,
    StatementError,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Mapping:
    """Which column (by its header) holds what, and how numbers are written."""

    date: str
    amount: str
    reference: str | None = None
    name: str | None = None
    bank_reference: str | None = None
    currency_column: str | None = None
    currency: str = "EUR"  # when no column says it
    decimal: str = "."
    delimiter: str = ","


_DAY_FIRST: Final = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def read_csv(body: bytes, mapping: Mapping) -> Statement:
    """The credits of a CSV export: one row per entry, a header row naming the columns;
    positive amounts are credits, negative ones debits. Dates as 2026-12-01 or 01/12/2026
    (01.12.2026, 01-12-2026: day first). UTF-8 (with or without BOM), else Windows-1252.

    Raises:
        StatementError: a mapped column missing from the header, a row whose date or amount
            cannot be read, or too many rows.
    """
    if len(body) > MAX_BYTES:
        raise StatementError(f"a statement is at most {MAX_BYTES} bytes", code="too_large")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    header = reader.fieldnames or []
    wanted = [
        mapping.date,
        mapping.amount,
        mapping.reference,
        mapping.name,
        mapping.bank_reference,
        mapping.currency_column,
    ]
    missing = [name for name in wanted if name is not None and name not in header]
    if missing:
        raise StatementError(
            f"no column {missing[0]!r} in the header ({', '.join(header)})", code="bad_mapping"
        )
    credits: list[Credit] = []
    debits = 0
    try:
        for position, row in enumerate(reader):
            if position >= MAX_ENTRIES:
                raise StatementError(
                    f"a statement holds at most {MAX_ENTRIES} rows", code="too_many_entries"
                )
            line = position + 2  # the header is line 1
            raw_amount = (row.get(mapping.amount) or "").strip()
            raw_date = (row.get(mapping.date) or "").strip()
            if not raw_amount and not raw_date:
                continue  # a blank line
            amount = _csv_amount(raw_amount, mapping.decimal, line)
            if amount <= 0:
                debits += 1
                continue
            booked = _csv_date(raw_date, line)
            currency = mapping.currency
            if mapping.currency_column:
                currency = (row.get(mapping.currency_column) or "").strip().upper() or currency
            credits.append(
                Credit(
                    position=position,
                    booking_date=booked,
                    amount=amount,
                    currency=currency[:3],
                    reference=_cell(row, mapping.reference, REFERENCE_LENGTH),
                    structured=False,
                    debtor=_cell(row, mapping.name, NAME_LENGTH),
                    bank_reference=_cell(row, mapping.bank_reference, 35),
                )
            )
    except csv.Error as error:
        raise StatementError(f"unreadable CSV: {error}", code="malformed_csv") from None
    return Statement(format="csv", credits=credits, debits=debits)


def _cell(row: dict[str, str | None], column: str | None, limit: int) -> str | None:
    if column is None:
        return None
    value = " ".join((row.get(column) or "").split())
    return value[:limit] or None


def _csv_amount(text: str, decimal: str, line: int) -> Decimal:
    """ "1 234,56" with a decimal comma, "1,234.56" with a point: the other separators (and
    spaces, apostrophes) group thousands and are dropped."""
    grouping = {",", ".", " ", "'", "\u00a0", "\u202f"} - {decimal}
    cleaned = "".join(char for char in text if char not in grouping).replace(decimal, ".")
    cleaned = cleaned.replace("\u2212", "-")
    if not re.fullmatch(r"[+-]?[0-9]{1,15}(\.[0-9]{1,5})?", cleaned):
        raise StatementError(f"line {line}: {text!r} is not an amount", code="bad_entry")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise StatementError(f"line {line}: {text!r} is not an amount", code="bad_entry") from None


def _csv_date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if found := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    try:  # a timestamp some banks write
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise StatementError(
            f"line {line}: {text!r} is not a date (2026-12-01 or 01/12/2026)", code="bad_entry"
        ) from None
