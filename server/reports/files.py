"""A report's rows as a CSV or XLSX download: the same values as its JSON, column for column.

CSV cells are the JSON's strings exactly (the csv module quotes what needs it); XLSX cells are
numbers where the JSON has a decimal string or an integer, so a spreadsheet can sum them, and
text elsewhere. Both are built off the event loop by the caller."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else str(row[c]) for c in columns])
    return out.getvalue().encode("utf-8")


def _number(value: Any) -> Any:
    """An amount's decimal string as an exact Decimal (openpyxl writes it as a number)."""
    return Decimal(value) if isinstance(value, str) else value


def to_xlsx(
    title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]], numeric: set[str]
) -> bytes:
    """`numeric`: the columns whose strings are amounts or rates (written as numbers)."""
    from openpyxl import Workbook  # imported when used: a few hundred ms off every start

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_number(row[c]) if c in numeric else row[c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
