"""A schedule's terms: the states and modes it can be in, the owner's choice (`Terms`) checked
into a recurrence rule, and how a schedule row reads (its rule, the runs still to come, its
JSON and its one-line description for the audit log) (docs/recurring.md).

Separate from the API's operations (service.py) and the jobs (runs.py), which both read a
schedule this way; pure functions over a row, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from collab.invoice.recurrence import LAST, Day, Frequency, Period, Rule, upcoming
from server.core.errors import BadRequest
from server.recurring.models import Schedule

SWEEP, PERIOD, FILL = "recurring.sweep", "recurring.period", "recurring.fill"
ACTIVE, PAUSED, FINISHED = "active", "paused", "finished"
DRAFT_MODE, SUBMIT_MODE = "draft", "submit"
PENDING, DRAFT, SUBMITTED, REFUSED, SKIPPED = "pending", "draft", "submitted", "refused", "skipped"
# Periods one sweep queues per schedule: a schedule started long ago catches up over a few
# days' sweeps rather than in one transaction of unbounded size.
MAX_CATCH_UP: Final = 60
NEXT_RUNS: Final = 3
# Dates a schedule may name: far enough for any contract, near enough that no arithmetic
# reaches the calendar's end.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """What a schedule's owner chooses (the request body, checked)."""

    frequency: Frequency
    day: Day
    start: date
    end: date | None
    count: int | None
    mode: str


def rule_of(row: Schedule) -> Rule:
    day: Day = LAST if row.day == LAST else int(row.day)
    return Rule(
        Frequency(row.frequency),
        day,
        date.fromisoformat(row.start_date),
        date.fromisoformat(row.end_date) if row.end_date else None,
        row.count,
    )


def checked(terms: Terms) -> Rule:
    for name, value in (("start", terms.start), ("end", terms.end)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise BadRequest(f"`{name}` must be between {EARLIEST} and {LATEST}")
    if terms.end is not None and terms.end < terms.start:
        raise BadRequest("`end` must be on or after `start`")
    return Rule(terms.frequency, terms.day, terms.start, terms.end, terms.count)


def since_of(row: Schedule) -> date:
    """The first run date not queued yet, nor skipped by a pause or an edit."""
    since = date.fromisoformat(row.resume_from)
    if row.queued_through is not None:
        since = max(since, date.fromisoformat(row.queued_through) + timedelta(days=1))
    return since


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def describe(row: Schedule) -> str:
    bound = f", until {row.end_date}" if row.end_date else ""
    bound += f", {row.count} period(s)" if row.count else ""
    return (
        f"{row.status} {row.frequency} on day {row.day} from {row.start_date}{bound}, "
        f"mode {row.mode}"
    )


def schedule_json(row: Schedule, *, today: date, made: int) -> dict[str, Any]:
    rule = rule_of(row)
    coming = upcoming(rule, since=max(since_of(row), today), limit=NEXT_RUNS)
    status = FINISHED if not upcoming(rule, since=since_of(row), limit=1) else row.status
    return {
        "id": row.id,
        "org_id": row.org_id,
        "template_id": row.template_id,
        "owner_id": row.owner_id,
        "frequency": row.frequency,
        "day": rule.day,
        "start": row.start_date,
        "end": row.end_date,
        "count": row.count,
        "mode": row.mode,
        "status": status,
        "made": made,
        "next_runs": [] if status != ACTIVE else [period_json(p) for p in coming],
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def period_json(each: Period) -> dict[str, str]:
    return {
        "run_date": each.run_date.isoformat(),
        "period_start": each.start.isoformat(),
        "period_end": each.end.isoformat(),
    }
