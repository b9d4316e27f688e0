"""Gapless legal numbers on SQLite and on a real PostgreSQL: concurrent issuers, failed issues,
the yearly reset, and the counter that never goes back."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from collab.invoice.numbering import NUMBER_RE, Reset
from server.auth.models import Organization
from server.core.db import sessions
from server.core.errors import BadRequest, Conflict
from server.organization import service
from server.organization.models import NumberSeries
from server.organization.service import SeriesKind
from tests.databases import KINDS, migrated_database

DAY = date(2026, 3, 14)
CONCURRENT = 50


class Forced(Exception):
    """The issue failed after it took its number."""


@pytest.fixture(params=KINDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of each kind (PostgreSQL: a database of its own, dropped after)."""
    async with migrated_database(request.param, tmp_path) as made:
        yield made


@pytest.fixture
async def engine(url: str) -> AsyncIterator[AsyncEngine]:
    """No pool: every session is a connection of its own, so concurrent issuers really race.
    SQLite waits up to 30 s for the write lock (the server's busy_timeout)."""
    args = {"timeout": 30} if url.startswith("sqlite") else {}
    made = create_async_engine(url, poolclass=NullPool, connect_args=args)
    yield made
    await made.dispose()


async def _org(engine: AsyncEngine) -> str:
    org_id = str(uuid.uuid4())
    async with sessions(engine).begin() as db:
        db.add(Organization(id=org_id, name=f"Org {org_id[:8]}", created_at=datetime.now(UTC)))
    return org_id


async def _issue(
    engine: AsyncEngine,
    org_id: str,
    barrier: asyncio.Barrier | None = None,
    *,
    fail: bool = False,
    on: date = DAY,
    series: SeriesKind = SeriesKind.INVOICE,
) -> str | None:
    """One issuing transaction: read something first (as the workflow reads its invoice), wait
    until every issuer has a connection open, take a number, then commit or fail."""
    try:
        async with sessions(engine).begin() as db:
            await db.execute(select(Organization.id).where(Organization.id == org_id))
            if barrier is not None:
                await barrier.wait()
            number = await service.allocate_number(db, org_id=org_id, series=series, issue_date=on)
            if fail:
                raise Forced(number)
            return number
    except Forced:
        return None


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


async def test_concurrent_issuers_get_consecutive_numbers(engine: AsyncEngine) -> None:
    org_id = await _org(engine)
    assert await _issue(engine, org_id) == "F2026-000001"  # creates the default series
    barrier = asyncio.Barrier(CONCURRENT)
    started = time.perf_counter()
    numbers = await asyncio.gather(*(_issue(engine, org_id, barrier) for _ in range(CONCURRENT)))
    elapsed = time.perf_counter() - started
    print(f"\n{CONCURRENT} concurrent allocations on {engine.dialect.name}: {elapsed:.3f} s")
    issued = [n for n in numbers if n is not None]
    assert len(issued) == len(set(issued)) == CONCURRENT
    assert sorted(_seq(n) for n in issued) == list(range(2, CONCURRENT + 2))
    assert all(NUMBER_RE.match(n) for n in issued)


async def test_a_failed_issue_leaves_no_gap(engine: AsyncEngine) -> None:
    org_id = await _org(engine)
    assert await _issue(engine, org_id) == "F2026-000001"
    assert await _issue(engine, org_id, fail=True) is None  # took 000002, then rolled back
    assert await _issue(engine, org_id) == "F2026-000002"
    # Under concurrency too: one issuer in five fails after taking its number.
    barrier = asyncio.Barrier(CONCURRENT)
    numbers = await asyncio.gather(
        *(_issue(engine, org_id, barrier, fail=i % 5 == 0) for i in range(CONCURRENT))
    )
    issued = sorted(_seq(n) for n in numbers if n is not None)
    assert issued == list(range(3, 3 + CONCURRENT * 4 // 5))
    async with sessions(engine)() as db:
        row = await db.get(NumberSeries, (org_id, "invoice"))
        assert row is not None and row.next_value == 3 + CONCURRENT * 4 // 5


async def test_yearly_reset_and_no_going_back(engine: AsyncEngine) -> None:
    org_id = await _org(engine)
    assert await _issue(engine, org_id, on=date(2026, 12, 31)) == "F2026-000001"
    assert await _issue(engine, org_id, on=date(2026, 12, 31)) == "F2026-000002"
    assert await _issue(engine, org_id, on=date(2027, 1, 1)) == "F2027-000001"
    assert await _issue(engine, org_id, on=date(2027, 1, 2)) == "F2027-000002"
    # Back to 2026 would restart a finished year's counter: refused, nothing taken.
    with pytest.raises(Conflict, match="already numbers 2027"):
        await _issue(engine, org_id, on=date(2026, 12, 30))
    assert await _issue(engine, org_id, on=date(2027, 1, 2)) == "F2027-000003"
    # Series are per kind and per organization.
    credit = await _issue(engine, org_id, on=date(2027, 1, 2), series=SeriesKind.CREDIT_NOTE)
    assert credit == "A2027-000001"
    assert await _issue(engine, await _org(engine), on=date(2027, 1, 2)) == "F2027-000001"


async def _configure(engine: AsyncEngine, org_id: str, **change: object) -> service.SeriesState:
    values: dict[str, object] = {
        "kind": SeriesKind.INVOICE,
        "pattern": "F{YYYY}-{SEQ:6}",
        "reset": Reset.YEARLY,
        "next_value": None,
        "year": None,
        "today": DAY,
        **change,
    }
    async with sessions(engine).begin() as db:
        return await service.configure_series(
            db,
            org_id=org_id,
            actor_id="admin",
            ip=None,
            **values,  # type: ignore[arg-type]
        )


async def test_configured_series_never_goes_back(engine: AsyncEngine) -> None:
    org_id = await _org(engine)
    state = await _configure(engine, org_id, pattern="INV/{YYYY}/{SEQ:4}", next_value=124)
    assert (state.year, state.next_value, state.next_number(DAY)) == (2026, 124, "INV/2026/0124")
    assert await _issue(engine, org_id) == "INV/2026/0124"
    with pytest.raises(Conflict, match="never goes back"):
        await _configure(engine, org_id, pattern="INV/{YYYY}/{SEQ:4}", next_value=100)
    # A series that never resets keeps counting through the years.
    await _configure(engine, org_id, pattern="INV{SEQ}", reset=Reset.NEVER)
    assert await _issue(engine, org_id, on=date(2027, 1, 1)) == "INV125"
    with pytest.raises(BadRequest, match="YYYY"):
        await _configure(engine, org_id, pattern="INV{SEQ}", reset=Reset.YEARLY)
    # Becoming yearly again goes on in the current year, so no 2026 number comes back.
    state = await _configure(engine, org_id, pattern="INV{YYYY}-{SEQ}", reset=Reset.YEARLY)
    assert (state.year, state.next_value) == (2026, 126)
    async with sessions(engine)() as db:
        listed = await service.list_series(db, org_id=org_id, today=DAY)
        rows = (await db.execute(text("SELECT count(*) FROM audit_events"))).scalar_one()
    assert [(s.kind, s.configured) for s in listed] == [
        (SeriesKind.INVOICE, True),
        (SeriesKind.CREDIT_NOTE, False),
    ]
    assert rows == 3  # three changes audited, none for the refused ones


async def test_an_exhausted_series_is_a_conflict(engine: AsyncEngine) -> None:
    org_id = await _org(engine)
    await _configure(engine, org_id, pattern="X{SEQ}", reset=Reset.NEVER, next_value=10**9)
    with pytest.raises(Conflict, match="cannot give a number"):
        await _issue(engine, org_id)
    async with sessions(engine)() as db:
        row = await db.get(NumberSeries, (org_id, "invoice"))
        assert row is not None and row.next_value == 10**9  # rolled back with the issue


def test_numbers_match_the_legal_pattern() -> None:
    for kind in SeriesKind:
        pattern, reset = service.DEFAULT_SERIES[kind]
        state = service.SeriesState(kind, pattern, reset, 2026, 999_999_999, True)
        number = state.next_number(DAY)
        assert number is not None and re.fullmatch(NUMBER_RE.pattern[1:-1], number)
