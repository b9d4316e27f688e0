"""Reading each row of a time-entry file into an entry, or the reason it cannot be one.

Durations are kept exact: "1:20:00" is 4/3 of an hour (a `Fraction`), never a float, so that
the sum of a group is rounded once, at the end (lines.py). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final, Literal

from collab.invoice.decimals import MoneyError, check_places, checked
from collab.invoice.money import UNIT_PRICE_PLACES

DateOrder = Literal["dmy", "mdy"]
MAX_HOURS: Final = Fraction(1000)  # one entry: beyond is a typing error, not a week's work
NAME_LENGTH: Final = 200
_CLOCK: Final = re.compile(r"^(\d{1,4}):([0-5]?\d)(?::([0-5]?\d))?$")
_SLASHED: Final = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_NUMBER: Final = re.compile(r"^\d{1,6}(?:[.,]\d{1,6})?$")
_NO: Final = frozenset({"no", "non", "false", "faux", "0", "n"})


class RowError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Entry:
    row: int
    day: date
    person: str
    project: str
    task: str
    description: str
    hours: Fraction
    rate: Decimal | None  # the file's rate, when it has a rate column and this row fills it


def parse_hours(text: str, *, clock: bool) -> Fraction:
    """Hours from "1:30:00" / "1:30" (`clock`, or any value with a colon) or "1.5" / "1,5"."""
    value = text.strip()
    found = _CLOCK.match(value)
    if found:
        hours, minutes, seconds = (int(part or 0) for part in found.groups())
        return Fraction(hours * 3600 + minutes * 60 + seconds, 3600)
    if not _NUMBER.match(value):
        if clock:
            raise RowError(f"duration {text!r} is not H:MM:SS, H:MM or hours such as 1.5")
        raise RowError(f"hours {text!r} is not a number of hours such as 1.5")
    return Fraction(Decimal(value.replace(",", ".")))


def parse_date(text: str, order: DateOrder) -> date:
    """2026-11-02 (a time after it allowed), else 02/11/2026 read in `order`."""
    value = text.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    found = _SLASHED.match(value.split(" ")[0])
    if found:
        first, second, year = (int(part) for part in found.groups())
        day, month = (first, second) if order == "dmy" else (second, first)
        try:
            return date(year, month, day)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise RowError(f"date {text!r} is not a date such as 2026-11-02 or 02/11/2026") from None


def date_order(values: list[str]) -> DateOrder:
    """How the file writes slashed dates: month first only when some date's second part is
    above 12 (so it cannot be a month) and no date's first part is; else day first."""
    firsts, seconds = [], []
    for value in values:
        found = _SLASHED.match(value.strip().split(" ")[0])
        if found:
            firsts.append(int(found.group(1)))
            seconds.append(int(found.group(2)))
    if any(s > 12 for s in seconds) and not any(f > 12 for f in firsts):
        return "mdy"
    return "dmy"


def parse_rate(text: str, field: str = "rate") -> Decimal:
    """A price per hour: "120", "120.50", "120,50", "€ 1 200,00" (currency signs and grouping
    blanks dropped), checked as the money engine checks a unit price."""
    value = re.sub(r"[\s\u00a0\u202f€$£]", "", text)
    if "," in value and "." in value:
        value = value.replace(",", "")  # 1,200.50
    value = value.replace(",", ".")
    try:
        rate = checked(Decimal(value), field, minimum=Decimal(0))
        check_places(rate, UNIT_PRICE_PLACES, field)
    except (InvalidOperation, ValueError):
        raise RowError(f"{field} {text!r} is not an amount such as 120.00") from None
    except MoneyError as exc:
        raise RowError(exc.message) from None
    return rate


def billable(text: str) -> bool:
    return text.strip().casefold() not in _NO


def read_entry(row: int, cells: Mapping[str, str], *, order: DateOrder) -> Entry | None:
    """The entry of one row (`cells`: field -> cell); None for a row that bills nothing (not
    billable, or no time). Raises RowError with the reason it cannot be read."""
    if "billable" in cells and not billable(cells["billable"]):
        return None
    if cells.get("hours", "").strip():
        hours = parse_hours(cells["hours"], clock=False)
    elif cells.get("duration", "").strip():
        hours = parse_hours(cells["duration"], clock=True)
    else:
        raise RowError("no duration")
    if hours == 0:
        return None
    if hours > MAX_HOURS:
        raise RowError(f"more than {MAX_HOURS} hours in one entry")
    if not cells.get("date", "").strip():
        raise RowError("no date")
    day = parse_date(cells["date"], order)
    person = " ".join(p for p in (cells.get("person", ""), cells.get("person_2", "")) if p)
    project, task = cells.get("project", ""), cells.get("task", "")
    for name, value in (("person", person), ("project", project), ("task", task)):
        if len(value) > NAME_LENGTH:
            raise RowError(f"{name} is longer than {NAME_LENGTH} characters")
    rate_text = cells.get("rate", "").strip()
    return Entry(
        row=row,
        day=day,
        person=person,
        project=project,
        task=task,
        description=cells.get("description", "")[:500],
        hours=hours,
        rate=parse_rate(rate_text) if rate_text else None,
    )
