"""A validation message on a field path, and the date and number reading every check shares.

Kept apart from `validation` so that a check living in its own module (`invoice_type`,
`adjustment_rows`) can build messages without importing the whole engine back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from collab.invoice.decimals import MoneyError, parse_decimal

ERROR: Final = "error"
WARNING: Final = "warning"

_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Issue:
    path: str
    code: str
    message: str
    severity: str = ERROR  # ERROR blocks a submit, WARNING is only shown

    def to_json(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


def read_date(value: object, path: str, issues: list[Issue]) -> date | None:
    """A `YYYY-MM-DD` field: None when empty, or when not a real date (reported on `path`)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        issues.append(Issue(path, "invalid_date", f"{value!r} is not a date like 2026-12-31"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        issues.append(Issue(path, "invalid_date", f"{value} is not a real date"))
        return None


def read_number(value: object, path: str, issues: list[Issue]) -> Decimal | None:
    """A required decimal field: None when empty ("required") or unreadable (reported)."""
    if value in (None, ""):
        issues.append(Issue(path, "required", "required"))
        return None
    try:
        return parse_decimal(str(value))
    except MoneyError as exc:
        issues.append(Issue(path, exc.code, exc.message))
        return None


def read_optional(value: object, path: str, issues: list[Issue]) -> Decimal | None:
    """An optional decimal field: None when empty, else as `read_number`."""
    return None if value in (None, "") else read_number(value, path, issues)
