"""A validation message on a field path, and the date reading every header check shares.

Kept apart from `validation` so that a check living in its own module (`invoice_type`) can
build messages without importing the whole engine back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

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
