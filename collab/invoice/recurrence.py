"""Recurring invoices: when each period's draft is due, as pure date arithmetic (docs/recurring.md).

A schedule bills a period of one month (monthly), three (quarterly) or twelve (yearly). The
periods follow each other from the month of the first run: period n begins on the 1st of the
month `first + n * step` and ends the day before the next one begins, so no day is billed twice
or skipped. Its draft is dated the run date: day `day` of the period's first month (1 to 28, so
that every month has it), or the month's last day ("last": 31 January, 28 or 29 February,
31 March...). The first run is the first run date on or after `start`; `end` (inclusive) and
`count` (how many periods at most) bound the schedule, whichever comes first.

Only the standard library: the server calls this with its clock's date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta
from enum import StrEnum
from typing import Final, Literal

LAST: Final = "last"
MAX_DAY: Final = 28  # every month has it; later days are "last"
Day = int | Literal["last"]


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


MONTHS: Final = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


class InvalidRule(ValueError):
    """A schedule that cannot be: a day past 28, a count below 1, an end before the start."""


@dataclass(frozen=True, slots=True)
class Rule:
    frequency: Frequency
    day: Day
    start: date
    end: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.day != LAST and not (
            isinstance(self.day, int) and not isinstance(self.day, bool) and 1 <= self.day <= 28
        ):
            raise InvalidRule(f'the day must be 1 to {MAX_DAY}, or "{LAST}"')
        if self.count is not None and self.count < 1:
            raise InvalidRule("the count must be at least 1")
        if self.end is not None and self.end < self.start:
            raise InvalidRule("the end must be on or after the start")


@dataclass(frozen=True, slots=True)
class Period:
    """The n-th period of a rule (from 0): its draft's date and the days it bills."""

    index: int
    run_date: date
    start: date
    end: date


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _run_date(year: int, month: int, day: Day) -> date:
    return month_end(year, month) if day == LAST else date(year, month, int(day))


def _anchor(rule: Rule) -> tuple[int, int]:
    """The month of the first run: the start's, unless its run date falls before the start."""
    year, month = rule.start.year, rule.start.month
    if _run_date(year, month, rule.day) < rule.start:
        return _shift(year, month, MONTHS[rule.frequency])
    return year, month


def period(rule: Rule, index: int) -> Period | None:
    """The rule's `index`-th period; None past its count or end (or the calendar's end)."""
    if index < 0 or (rule.count is not None and index >= rule.count):
        return None
    step = MONTHS[rule.frequency]
    year, month = _shift(*_anchor(rule), index * step)
    next_year, next_month = _shift(year, month, step)
    if next_year > MAXYEAR:
        return None
    run_date = _run_date(year, month, rule.day)
    if rule.end is not None and run_date > rule.end:
        return None
    return Period(
        index, run_date, date(year, month, 1), date(next_year, next_month, 1) - timedelta(days=1)
    )


def _first_index_from(rule: Rule, since: date) -> int:
    """The index of the first period whose run date is on or after `since` (it may not exist)."""
    year, month = _anchor(rule)
    months = (since.year - year) * 12 + since.month - month
    index = max(0, months // MONTHS[rule.frequency])
    found = period(rule, index)
    # The period holding `since`'s month may run before `since`: then it is the next one.
    if found is not None and found.run_date < since:
        index += 1
    return index


def periods(rule: Rule, *, since: date | None = None) -> Iterator[Period]:
    """The rule's periods in order, from the first that runs on or after `since`."""
    index = 0 if since is None else _first_index_from(rule, since)
    while (found := period(rule, index)) is not None:
        yield found
        index += 1


def due(rule: Rule, *, since: date, until: date, limit: int) -> list[Period]:
    """At most `limit` periods running from `since` to `until`, both included."""
    found: list[Period] = []
    for each in periods(rule, since=since):
        if each.run_date > until or len(found) >= limit:
            break
        found.append(each)
    return found


def upcoming(rule: Rule, *, since: date, limit: int = 3) -> list[Period]:
    """The next `limit` periods running on or after `since`."""
    found: list[Period] = []
    for each in periods(rule, since=since):
        if len(found) >= limit:
            break
        found.append(each)
    return found


def payment_delay(issue_date: str | None, due_date: str | None) -> int | None:
    """Days from issue to due on the template ("YYYY-MM-DD" strings); None when either is
    missing or unreadable, or the due date comes first."""
    try:
        issued, due_on = date.fromisoformat(issue_date or ""), date.fromisoformat(due_date or "")
    except ValueError:
        return None
    days = (due_on - issued).days
    return days if days >= 0 else None


PERIOD_PREFIXES: Final = ("Period: ", "Période : ")


def period_text(each: Period, language: str) -> str:
    """The line a draft's notes begin with, in the seller's language (as its PDF)."""
    if language == "fr":
        first, last = (d.strftime("%d/%m/%Y") for d in (each.start, each.end))
        return f"{PERIOD_PREFIXES[1]}du {first} au {last}"
    return f"{PERIOD_PREFIXES[0]}{each.start.isoformat()} \N{EN DASH} {each.end.isoformat()}"
