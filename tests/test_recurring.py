"""Recurring invoices in time: the server's parts in this process (database, rooms, the job
worker with an injected clock) on SQLite and PostgreSQL. A year of a monthly schedule; quarterly
and yearly ones with their end and count; a pause; a catch-up after downtime run twice and by
two workers at once; mode submit, accepted and refused. Each period makes one draft, never two."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.recurrence import LAST, Frequency
from collab.sync import RoomRegistry
from server.audit.models import AuditEvent
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.invoices.models import Invoice
from server.invoices.rooms import InvoiceRooms
from server.invoices.store import SqlUpdateStore
from server.jobs import service as jobs
from server.jobs.models import Job
from server.recurring import service as recurring
from tests.databases import KINDS, acme_member, invoice_registry, migrated_database

ADDRESS = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
TEMPLATE = {
    "invoice": {
        "customer": {"name": "Client SA", "address": ADDRESS},
        "currency": "EUR",
        "issue_date": "2026-11-27",
        "due_date": "2026-12-27",
        "notes": "Thank you",
    },
    "lines": [
        {
            "id": "a",
            "description": "Hosting",
            "quantity": "1",
            "unit_price": "99.00",
            "tax_rate": "20",
        }
    ],
    "adjustments": [],
}


@dataclass
class Env:
    sessions: async_sessionmaker[AsyncSession]
    registry: RoomRegistry
    store: SqlUpdateStore
    user_id: str
    org_id: str
    template_id: str
    worker: jobs.Worker


@pytest.fixture(params=KINDS)
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    async with migrated_database(request.param, tmp_path) as url:
        engine = create_engine(url)
        made = sessions(engine)
        async with made.begin() as db:
            org, user = await acme_member(db, email="alice@acme.test")
            user_id, org_id = user.id, org.id
        rooms = InvoiceRooms(made)
        async with invoice_registry(engine, rooms) as (store, registry):
            recurring.register_jobs(made, registry, store)
            try:
                template = await _invoice(made, registry, user_id, TEMPLATE)
                yield Env(made, registry, store, user_id, org_id, template, jobs.Worker(made))
            finally:
                recurring.register_jobs(None)
        await rooms.close()
        await engine.dispose()


async def _invoice(
    made: async_sessionmaker[AsyncSession], registry: RoomRegistry, user_id: str, content: Any
) -> str:
    async with made.begin() as db:
        invoice = await invoices.create_invoice(db, user_id=user_id, org_id=None)
    await invoices.write_content(registry, invoice.id, content, user_id=user_id)
    return invoice.id


def at(day: str, hour: int = 6) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def drain(worker: jobs.Worker, now: datetime) -> None:
    """Run every job due at `now`, and what they queue, until none is left."""
    while await worker.run_once(now):
        pass


async def _schedule(env: Env, now: datetime, **terms: Any) -> str:
    values: dict[str, Any] = {"end": None, "count": None, "mode": "draft", **terms}
    made = await recurring.create(
        env.sessions,
        user_id=env.user_id,
        invoice_id=env.template_id,
        terms=recurring.Terms(**values),
        ip=None,
        now=now,
    )
    await recurring.start(env.sessions, now=now)
    return str(made["id"])


async def _runs(env: Env, schedule_id: str) -> list[dict[str, Any]]:
    made = await recurring.made_by(env.sessions, user_id=env.user_id, schedule_id=schedule_id)
    return list(reversed(made))  # oldest first


async def _drafts(env: Env) -> int:
    async with env.sessions() as db:
        count = await db.scalar(
            select(func.count()).select_from(Invoice).where(Invoice.id != env.template_id)
        )
    return int(count or 0)


def _months(year: int, first: int = 1, last: int = 12, day: int = 1) -> list[datetime]:
    return [at(date(year, month, day).isoformat()) for month in range(first, last + 1)]


async def test_a_year_of_a_monthly_schedule_makes_twelve_drafts(env: Env) -> None:
    schedule_id = await _schedule(
        env, at("2026-12-15"), frequency=Frequency.MONTHLY, day=LAST, start=date(2027, 1, 1)
    )
    shown = await recurring.read(
        env.sessions, user_id=env.user_id, schedule_id=schedule_id, now=at("2026-12-15")
    )
    assert [run["run_date"] for run in shown["next_runs"]] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
    ]
    # The clock moves a month at a time, to the first of each month: the sweep of that day
    # finds the last month's last day due. Through 2027, then into 2028.
    for now in [*_months(2027, 2, 12), at("2028-01-01"), at("2028-01-20")]:
        await drain(env.worker, now)
    runs = await _runs(env, schedule_id)
    assert len(runs) == 12 and await _drafts(env) == 12
    expected = [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
        "2027-06-30",
        "2027-07-31",
        "2027-08-31",
        "2027-09-30",
        "2027-10-31",
        "2027-11-30",
        "2027-12-31",
    ]
    assert [run["run_date"] for run in runs] == expected
    for run in runs:
        assert run["outcome"] == "draft" and run["invoice_status"] == "draft"
        document = await invoices.read_document(env.registry, env.store, run["invoice_id"])
        header = document["invoice"]
        assert header["issue_date"] == run["run_date"]
        delay = date.fromisoformat(header["due_date"]) - date.fromisoformat(run["run_date"])
        assert delay.days == 30  # the template's: 2026-11-27 to 2026-12-27
        start, end = run["period_start"], run["period_end"]
        assert start == run["run_date"][:8] + "01" and end == run["run_date"]
        assert header["notes"] == f"Period: {start} \N{EN DASH} {end}\nThank you"
        assert header["customer"]["name"] == "Client SA"
        assert [line["description"] for line in document["lines"]] == ["Hosting"]
    async with env.sessions() as db:
        audited = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.event == "invoice.recurring_draft")
        )
    assert audited == 12


async def test_quarterly_and_yearly_stop_at_their_count_and_end(env: Env) -> None:
    quarterly = await _schedule(
        env,
        at("2026-12-15"),
        frequency=Frequency.QUARTERLY,
        day=15,
        start=date(2027, 1, 20),  # January's 15th is before the start: April first
        count=3,
    )
    yearly = await _schedule(
        env,
        at("2026-12-15"),
        frequency=Frequency.YEARLY,
        day=1,
        start=date(2027, 3, 1),
        end=date(2029, 3, 1),
    )
    for year in (2027, 2028, 2029, 2030):
        for now in _months(year, day=16):
            await drain(env.worker, now)
    assert [r["run_date"] for r in await _runs(env, quarterly)] == [
        "2027-04-15",
        "2027-07-15",
        "2027-10-15",
    ]
    assert [(r["period_start"], r["period_end"]) for r in await _runs(env, yearly)] == [
        ("2027-03-01", "2028-02-29"),
        ("2028-03-01", "2029-02-28"),
        ("2029-03-01", "2030-02-28"),
    ]
    shown = await recurring.read(
        env.sessions, user_id=env.user_id, schedule_id=yearly, now=at("2030-06-01")
    )
    assert shown["status"] == "finished" and shown["next_runs"] == [] and shown["made"] == 3


async def test_periods_while_paused_are_not_made(env: Env) -> None:
    schedule_id = await _schedule(
        env, at("2026-12-15"), frequency=Frequency.MONTHLY, day=1, start=date(2027, 1, 1)
    )
    await drain(env.worker, at("2027-01-01"))

    async def change(now: datetime, **changes: Any) -> dict[str, Any]:
        return await recurring.change(
            env.sessions,
            user_id=env.user_id,
            schedule_id=schedule_id,
            changes=changes,
            ip=None,
            now=now,
        )

    assert (await change(at("2027-01-15"), status="paused"))["next_runs"] == []
    for now in _months(2027, 2, 3):
        await drain(env.worker, now)
    resumed = await change(at("2027-03-10"), status="active")
    assert [run["run_date"] for run in resumed["next_runs"]] == [
        "2027-04-01",
        "2027-05-01",
        "2027-06-01",
    ]
    await drain(env.worker, at("2027-03-10"))
    await drain(env.worker, at("2027-04-01"))
    assert [r["run_date"] for r in await _runs(env, schedule_id)] == ["2027-01-01", "2027-04-01"]


async def test_a_catch_up_makes_each_missed_period_once(env: Env) -> None:
    schedule_id = await _schedule(
        env, at("2026-12-15"), frequency=Frequency.MONTHLY, day=1, start=date(2027, 1, 1)
    )
    await drain(env.worker, at("2027-01-01"))
    # Down from January to April: three periods missed. Two workers and an extra sweep at once
    # (on PostgreSQL they really share the work), then the whole catch-up again.
    back = at("2027-04-02")
    other = jobs.Worker(env.sessions)

    async def sweep_again() -> None:
        async with env.sessions.begin() as db:
            await recurring.queue_due(db, now=back)

    await asyncio.gather(drain(env.worker, back), drain(other, back), sweep_again())
    await sweep_again()
    await drain(env.worker, back)
    await drain(other, back)
    runs = await _runs(env, schedule_id)
    assert [r["run_date"] for r in runs] == ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01"]
    assert await _drafts(env) == 4
    assert all(r["outcome"] == "draft" for r in runs)
    # A period's job run again (a lease that ran out, a retry) makes nothing more.
    async with env.sessions.begin() as db:
        job = await db.scalar(select(Job).where(Job.key == f"recurring:{schedule_id}:2027-02-01"))
        assert job is not None and job.status == jobs.DONE
        ctx = jobs.Context(db, job.id, job.key, job.org_id, _payload(job), 2, back)
        await recurring.make_draft(ctx)
    assert await _drafts(env) == 4


def _payload(job: Job) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(job.payload)
    return loaded


async def test_mode_submit_submits_or_keeps_the_draft_with_the_reason(env: Env) -> None:
    valid = await _schedule(
        env,
        at("2026-12-15"),
        frequency=Frequency.MONTHLY,
        day=1,
        start=date(2027, 1, 1),
        count=1,
        mode="submit",
    )
    empty = await _invoice(env.sessions, env.registry, env.user_id, {"invoice": {}, "lines": []})
    made = await recurring.create(
        env.sessions,
        user_id=env.user_id,
        invoice_id=empty,
        terms=recurring.Terms(
            frequency=Frequency.MONTHLY,
            day=1,
            start=date(2027, 1, 1),
            end=None,
            count=1,
            mode="submit",
        ),
        ip=None,
        now=at("2026-12-15"),
    )
    await drain(env.worker, at("2027-01-01"))
    [submitted] = await _runs(env, valid)
    assert submitted["outcome"] == "submitted" and submitted["invoice_status"] == "submitted"
    [refused] = await _runs(env, made["id"])
    assert refused["outcome"] == "refused" and refused["invoice_status"] == "draft"
    assert refused["reason"]
