"""Number series: gapless legal numbers, taken in the issuing transaction.

`allocate_number` moves a series' counter with ONE conditional `UPDATE ... RETURNING` in the
caller's transaction. The statement both reads and increments the counter, so there is no window
between the two; the row it updates stays locked until the caller's transaction ends:

- PostgreSQL (READ COMMITTED): a concurrent issuer's UPDATE waits on the row lock, then
  re-evaluates its WHERE and SET on the committed row, so it takes the next value;
- SQLite: the UPDATE takes the database's write lock (the driver opens the transaction just
  before it; `busy_timeout` makes others wait for it), held until commit.

If the caller's transaction rolls back (the issue failed after taking a number), the counter goes
back with it: no gap. A committed value is never handed out again: the counter only moves up
(`configure_series` refuses to lower it), and a series that resets yearly must have the year in
its pattern. The caller must let an error from here abort its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.numbering import Reset, check_reset, format_number, period
from server.audit.service import AuditKind, record
from server.core.errors import BadRequest, Conflict
from server.organization.models import NumberSeries, SellerProfile


class SeriesKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


# What a series is before an admin configures it (created at its first number).
DEFAULT_SERIES: Final[Mapping[SeriesKind, tuple[str, Reset]]] = {
    SeriesKind.INVOICE: ("F{YYYY}-{SEQ:6}", Reset.YEARLY),
    SeriesKind.CREDIT_NOTE: ("A{YYYY}-{SEQ:6}", Reset.YEARLY),
}


@dataclass(frozen=True, slots=True)
class SeriesState:
    kind: SeriesKind
    pattern: str
    reset: Reset
    year: int  # the counter's year; 0 for a series that never resets
    next_value: int  # what the next number of `year` takes
    configured: bool  # False: the defaults, no row yet

    def next_number(self, on: date) -> str | None:
        """The number an issue on `on` would take now (None if the series is exhausted)."""
        seq = 1 if self.reset is Reset.YEARLY and self.year != on.year else self.next_value
        try:
            return format_number(self.pattern, seq=seq, issue_date=on)
        except ValueError:
            return None


async def insert_missing(
    db: AsyncSession, model: type[SellerProfile] | type[NumberSeries], values: dict[str, Any]
) -> bool:
    """INSERT the row unless its key exists (then nothing); True if inserted. Either way the
    statement takes SQLite's write lock, and on PostgreSQL a concurrent insert of the same key
    waits for the first to end, so the caller can then read and lock the row safely."""
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await db.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0) == 1)


async def allocate_number(
    db: AsyncSession, *, org_id: str, series: SeriesKind | str, issue_date: date
) -> str:
    """The next legal number of the organization's series, in the caller's transaction.

    Conflict (and the caller's transaction must roll back) when the series cannot give one:
    an issue date in a year before the series' counter, or numbers past 35 characters."""
    kind = SeriesKind(series)
    taken = await _take(db, org_id, kind, issue_date)
    if taken is None:
        pattern, reset = DEFAULT_SERIES[kind]
        row = _row(org_id, kind, pattern, reset, period(reset, issue_date), 1)
        await insert_missing(db, NumberSeries, row)
        taken = await _take(db, org_id, kind, issue_date)
    if taken is None:
        current = await db.get(NumberSeries, (org_id, kind.value))
        year = current.year if current else "?"
        raise Conflict(
            f"the {kind} series already numbers {year}: cannot issue on {issue_date.isoformat()}"
        )
    seq, pattern = taken
    try:
        return format_number(pattern, seq=seq, issue_date=issue_date)
    except ValueError as exc:
        raise Conflict(f"the {kind} series cannot give a number: {exc}") from None


async def _take(
    db: AsyncSession, org_id: str, kind: SeriesKind, issue_date: date
) -> tuple[int, str] | None:
    """Increment the counter (restarting it in a new year); the value taken, with the
    series' pattern; None if no row matched."""
    s = NumberSeries
    yearly = s.reset == Reset.YEARLY.value
    year = issue_date.year
    new_year = yearly & (s.year != year)
    statement = (
        update(s)
        .where(s.org_id == org_id, s.kind == kind.value, or_(~yearly, s.year <= year))
        .values(
            next_value=case((new_year, 2), else_=s.next_value + 1),
            year=case((yearly, year), else_=s.year),
        )
        .returning(s.next_value, s.pattern)
        .execution_options(synchronize_session=False)
    )
    found = (await db.execute(statement)).first()
    if found is None:
        return None
    next_value, pattern = found
    return int(next_value) - 1, str(pattern)


def _row(
    org_id: str, kind: SeriesKind, pattern: str, reset: Reset, year: int, next_value: int
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "kind": kind.value,
        "pattern": pattern,
        "reset": reset.value,
        "year": year,
        "next_value": next_value,
        "updated_at": datetime.now(UTC),
    }


async def list_series(db: AsyncSession, *, org_id: str, today: date) -> list[SeriesState]:
    """Every kind of series, configured or default, in SeriesKind order."""
    query = select(NumberSeries).where(NumberSeries.org_id == org_id)
    rows = {r.kind: r for r in await db.scalars(query)}
    out = []
    for kind in SeriesKind:
        row = rows.get(kind.value)
        if row is None:
            pattern, reset = DEFAULT_SERIES[kind]
            out.append(SeriesState(kind, pattern, reset, period(reset, today), 1, False))
        else:
            out.append(_state(row))
    return out


def _state(row: NumberSeries) -> SeriesState:
    kind, reset = SeriesKind(row.kind), Reset(row.reset)
    return SeriesState(kind, row.pattern, reset, row.year, row.next_value, True)


async def configure_series(
    db: AsyncSession,
    *,
    org_id: str,
    actor_id: str,
    ip: str | None,
    kind: SeriesKind,
    pattern: str,
    reset: Reset,
    next_value: int | None,
    year: int | None,
    today: date,
) -> SeriesState:
    """Set a series' pattern and reset, and optionally move its counter forward (never back:
    that would hand out a number twice). Audited."""
    problem = check_reset(pattern, reset)
    if problem is not None:
        raise BadRequest(f"`pattern`: {problem}")
    if year is not None and (next_value is None or reset is Reset.NEVER):
        raise BadRequest("`year` goes with `next_value`, in a series that resets yearly")
    default_pattern, default_reset = DEFAULT_SERIES[kind]
    default_year = period(default_reset, today)
    await insert_missing(
        db, NumberSeries, _row(org_id, kind, default_pattern, default_reset, default_year, 1)
    )
    query = select(NumberSeries).where(
        NumberSeries.org_id == org_id, NumberSeries.kind == kind.value
    )
    row = (
        await db.scalars(query.with_for_update().execution_options(populate_existing=True))
    ).one()
    before = _state(row)
    new_year, new_next = _counter(before, reset, next_value, year, today)
    if reset is Reset.YEARLY and before.reset is Reset.YEARLY:
        goes_back = (new_year, new_next) < (before.year, before.next_value)
    else:
        goes_back = new_next < before.next_value
    if goes_back:
        raise Conflict(
            f"the {kind} counter is at {_counter_text(before.year, before.next_value)}: it never "
            "goes back (a number is never given twice)"
        )
    row.pattern, row.reset, row.year, row.next_value = pattern, reset.value, new_year, new_next
    row.updated_at = datetime.now(UTC)
    await db.flush()
    after = _state(row)
    if after != before:
        record(
            db,
            AuditKind.SERIES_CHANGED,
            actor_id=actor_id,
            ip=ip,
            org_id=org_id,
            target=f"org:{org_id}/series/{kind}",
            detail=f"{_describe(before)} -> {_describe(after)}",
        )
    return after


def _counter(
    before: SeriesState, reset: Reset, next_value: int | None, year: int | None, today: date
) -> tuple[int, int]:
    """The counter's (year, next value) after a change of reset or an explicit start."""
    if reset is Reset.NEVER:
        return 0, next_value or before.next_value
    if before.reset is Reset.NEVER:
        # Becoming yearly: the counter goes on in this year, so a pattern that already had the
        # year in it cannot give this year's first numbers again.
        return year or today.year, next_value or before.next_value
    if next_value is not None:
        return year or today.year, next_value  # an explicit start counts in this year by default
    return before.year, before.next_value


def _counter_text(year: int, next_value: int) -> str:
    return f"{year}/{next_value}" if year else str(next_value)


def _describe(state: SeriesState) -> str:
    return f"{state.pattern} {state.reset} next {_counter_text(state.year, state.next_value)}"
