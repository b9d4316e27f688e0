"""The job queue on SQLite and PostgreSQL: one job per idempotency key, effects and "done"
committed together, backoff then the dead letter, a dead lease run again (and the late
finisher's effects undone), two workers sharing the work without running anything twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from server.auth.models import Organization
from server.core.db import sessions
from server.jobs import service as jobs
from server.jobs.clock import Hourly
from server.jobs.models import Job
from server.recurring import service as recurring
from server.reminders import service as reminders
from tests.databases import KINDS, migrated_database
from tests.harness import wait_for, wait_until

KIND = "test.effect"
ORG = "00000000-0000-4000-8000-00000000000a"


@pytest.fixture(params=KINDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as url:
        args = {"timeout": 30} if url.startswith("sqlite") else {}
        made = create_async_engine(url, poolclass=NullPool, connect_args=args)
        async with sessions(made).begin() as db:
            await db.execute(text("CREATE TABLE effects (job_key VARCHAR(200))"))
            db.add(Organization(id=ORG, name="Acme", created_at=datetime.now(UTC)))
        yield made
        await made.dispose()


class Handler:
    """Writes one effect row per run, in the job's transaction; fails `failures` times after
    writing it (so a failed run's effect must vanish with its transaction)."""

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures, self.permanent = failures, permanent
        self.runs: list[tuple[str, int]] = []

    async def __call__(self, ctx: jobs.Context) -> None:
        self.runs.append((ctx.key, ctx.attempt))
        await ctx.db.execute(text("INSERT INTO effects VALUES (:k)"), {"k": ctx.key})
        await asyncio.sleep(0)  # let another worker interleave
        if self.failures > 0:
            self.failures -= 1
            raise (jobs.Permanent if self.permanent else RuntimeError)("the other side is down")


@pytest.fixture
def handler() -> Iterator[Handler]:
    made = Handler()
    jobs.register(KIND, made)
    yield made
    jobs.register(KIND, None)


def use(handler: Handler) -> Handler:
    jobs.register(KIND, handler)
    return handler


async def _queue(engine: AsyncEngine, *keys: str) -> list[bool]:
    async with sessions(engine).begin() as db:
        return [
            await jobs.enqueue(db, kind=KIND, key=key, payload={"n": 1}, org_id=ORG) for key in keys
        ]


async def _effects(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return sorted(row[0] for row in await conn.execute(text("SELECT job_key FROM effects")))


async def _job(engine: AsyncEngine) -> Job:
    async with sessions(engine)() as db:
        job: Job = (await db.scalars(select(Job))).one()
    return job


async def test_a_key_is_one_job_and_its_effect_happens_once(
    engine: AsyncEngine, handler: Handler
) -> None:
    assert await _queue(engine, "k1", "k1") == [True, False]
    assert await _queue(engine, "k1") == [False]  # in another transaction too
    worker = jobs.Worker(sessions(engine))
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert await _effects(engine) == ["k1"]
    job = await _job(engine)
    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    assert await _queue(engine, "k1") == [False]  # done is still "queued before"


async def test_failures_back_off_then_the_job_is_dead_until_retried(
    engine: AsyncEngine, handler: Handler
) -> None:
    use(handler).failures = jobs.MAX_ATTEMPTS
    await _queue(engine, "k")
    worker = jobs.Worker(sessions(engine))
    moment = datetime.now(UTC)
    assert await worker.run_once(moment) == 1
    job = await _job(engine)
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.run_at - moment == timedelta(seconds=10)  # BASE_DELAY_SECONDS
    assert job.last_error == "RuntimeError: the other side is down"
    assert await worker.run_once(moment + timedelta(seconds=9)) == 0  # not due yet
    for attempt in range(2, jobs.MAX_ATTEMPTS + 1):
        moment += jobs.backoff(attempt - 1)
        assert await worker.run_once(moment) == 1, attempt
    job = await _job(engine)
    assert (job.status, job.attempts) == ("dead", jobs.MAX_ATTEMPTS)
    assert await worker.run_once(moment + timedelta(days=30)) == 0
    assert await _effects(engine) == []  # every failed run's effect went with its transaction
    async with sessions(engine).begin() as db:
        assert await jobs.retry(db, org_id="another", job_id=job.id) is None
    async with sessions(engine).begin() as db:
        assert [j.id for j in await jobs.listing(db, org_id=ORG, status="dead")] == [job.id]
        retried = await jobs.retry(db, org_id=ORG, job_id=job.id)
        assert retried is not None and retried.attempts == 0
    assert await worker.run_once(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert await _effects(engine) == ["k"]
    assert (await _job(engine)).status == "done"


async def test_a_permanent_failure_is_dead_at_once(engine: AsyncEngine) -> None:
    use(Handler(failures=1, permanent=True))
    try:
        await _queue(engine, "k")
        assert await jobs.Worker(sessions(engine)).run_once() == 1
        job = await _job(engine)
        assert (job.status, job.attempts) == ("dead", 1)
    finally:
        jobs.register(KIND, None)


async def test_a_dead_lease_runs_again_and_the_late_finisher_is_undone(
    engine: AsyncEngine, handler: Handler
) -> None:
    await _queue(engine, "k")
    start = datetime.now(UTC)
    dying = jobs.Worker(sessions(engine))
    [(job_id, attempts, _lane)] = await dying._claim(start)  # its process dies here, mid-job
    other = jobs.Worker(sessions(engine))
    assert await other.run_once(start + timedelta(seconds=jobs.LEASE_SECONDS - 1)) == 0
    assert await other.run_once(start + timedelta(seconds=jobs.LEASE_SECONDS + 1)) == 1
    assert await _effects(engine) == ["k"]
    # The first process was only slow: it finishes now, but the job is no longer its claim.
    await dying._run(job_id, attempts, start)
    assert await _effects(engine) == ["k"]
    job = await _job(engine)
    assert (job.status, job.attempts) == ("done", 2)


async def test_two_workers_share_the_jobs_and_run_each_once(
    engine: AsyncEngine, handler: Handler
) -> None:
    keys = [f"k{n:02}" for n in range(30)]
    await _queue(engine, *keys)
    a, b = jobs.Worker(sessions(engine)), jobs.Worker(sessions(engine))

    async def drain(worker: jobs.Worker) -> None:
        while await worker.run_once():
            pass

    await asyncio.gather(drain(a), drain(b))
    assert sorted(key for key, _ in handler.runs) == keys  # each run exactly once
    assert await _effects(engine) == keys
    async with sessions(engine)() as db:
        done = await db.scalar(select(func.count()).where(Job.status == "done"))
    assert done == len(keys)


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 9, 30)] == [
        10,
        20,
        40,
        2560,
        3600,
    ]


async def test_the_hourly_clock_queues_each_sweep_once_an_hour_and_survives_a_failure(
    engine: AsyncEngine,
) -> None:
    async def broken(db: Any, now: datetime) -> bool:
        raise RuntimeError("this feature's table is gone")

    moment = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    clock = Hourly(
        sessions(engine),
        [broken, reminders.queue_hourly, recurring.queue_today],
        clock=lambda: moment,
    )
    await clock.tick()
    await clock.tick()  # the same hour, or another process at the same time: nothing more
    moment = moment.replace(hour=10)
    await clock.tick()  # the next hour: reminders sweep again; recurring is daily
    async with sessions(engine)() as db:
        keys = sorted((await db.scalars(select(Job.key))).all())
    assert keys == [
        "recurring-sweep:2026-12-02",
        "reminders.sweep:2026-12-02:09",
        "reminders.sweep:2026-12-02:10",
    ]


class Blocking:
    """A handler that waits, as one does on a slow SMTP server or webhook endpoint, before
    writing its effect (real handlers do their slow I/O before their first write)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[str] = []
        self.running = self.most = 0

    async def __call__(self, ctx: jobs.Context) -> None:
        self.started.append(ctx.key)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        await ctx.db.execute(text("INSERT INTO effects VALUES (:k)"), {"k": ctx.key})


async def _queue_as(engine: AsyncEngine, kind: str, key: str, org_id: str | None = ORG) -> None:
    async with sessions(engine).begin() as db:
        if org_id is not None and await db.get(Organization, org_id) is None:
            db.add(Organization(id=org_id, name=org_id, created_at=datetime.now(UTC)))
            await db.flush()
        await jobs.enqueue(db, kind=kind, key=key, org_id=org_id)


async def _effects_become(engine: AsyncEngine, expected: list[str]) -> None:
    async def arrived() -> bool:
        return await _effects(engine) == expected

    await wait_for(arrived, timeout=5, what=f"effects {expected}")


async def test_a_slow_job_holds_back_its_own_lane_only(
    engine: AsyncEngine, handler: Handler
) -> None:
    slow = Blocking()
    jobs.register("test.slow", slow)
    other_org = "00000000-0000-4000-8000-00000000000b"
    try:
        await _queue_as(engine, "test.slow", "slow-1")
        await _queue_as(engine, "test.slow", "slow-2")  # same kind, same organization
        await _queue_as(engine, "test.slow", "slow-other", other_org)
        await _queue(engine, "mail")  # another kind, same organization
        async with jobs.Worker(sessions(engine), interval=0.05):
            await wait_until(lambda: len(slow.started) == 2, what="two slow jobs started")
            await wait_until(lambda: handler.runs, what="the quick job run")
            assert sorted(slow.started) == ["slow-1", "slow-other"]  # slow-2 waits its turn
            await _effects_become(engine, ["mail"])  # committed while both slow jobs wait
            slow.release.set()
            # Inside the worker: stopping it cancels a job that has started but not committed.
            await _effects_become(engine, ["mail", "slow-1", "slow-2", "slow-other"])
        assert sorted(slow.started) == ["slow-1", "slow-2", "slow-other"]
        assert slow.most == 2
    finally:
        jobs.register("test.slow", None)


async def _one_slow_job(engine: AsyncEngine) -> Blocking:
    slow = Blocking()
    jobs.register(KIND, slow)
    await _queue(engine, "k")
    return slow


async def test_stopping_leaves_running_jobs_to_their_lease(
    engine: AsyncEngine, handler: Handler
) -> None:
    slow = await _one_slow_job(engine)
    start = datetime.now(UTC)
    async with jobs.Worker(sessions(engine), interval=0.05, grace_seconds=0.2):
        await wait_until(lambda: slow.started, what="the job started")
    # Cancelled with the worker after its grace: nothing written, still leased to this process.
    assert slow.running == 0 and await _effects(engine) == []
    assert (await _job(engine)).status == "running"
    slow.release.set()
    later = jobs.Worker(sessions(engine))
    assert await later.run_once(start + timedelta(seconds=jobs.LEASE_SECONDS + 1)) == 1
    assert await _effects(engine) == ["k"]


async def test_stopping_lets_a_running_job_finish_within_the_grace(
    engine: AsyncEngine, handler: Handler
) -> None:
    slow = await _one_slow_job(engine)
    worker = jobs.Worker(sessions(engine), interval=0.05, grace_seconds=5)
    async with worker:
        await wait_until(lambda: slow.started, what="the job started")
        stopping = asyncio.create_task(worker.stop())
        await asyncio.sleep(0.2)
        assert not stopping.done()  # waiting for the job, not cancelling it
        slow.release.set()  # the endpoint answers during the grace
        await stopping
        assert await _effects(engine) == ["k"]
        assert (await _job(engine)).status == jobs.DONE


async def test_no_more_jobs_at_once_than_the_worker_runs(engine: AsyncEngine) -> None:
    slow = Blocking()
    kinds = [f"test.lane{n}" for n in range(5)]
    for kind in kinds:
        jobs.register(kind, slow)
    try:
        for kind in kinds:
            await _queue_as(engine, kind, f"{kind}:1")
        async with jobs.Worker(sessions(engine), interval=0.05, concurrency=2):
            await wait_until(lambda: len(slow.started) == 2, what="two started")
            await asyncio.sleep(0.3)  # a few more rounds: none may start a third
            assert slow.running == 2
            slow.release.set()
            # Inside the worker: stopping it cancels a job that has started but not committed.
            await _effects_become(engine, sorted(f"{kind}:1" for kind in kinds))
        assert len(slow.started) == 5
        assert slow.most == 2
    finally:
        for kind in kinds:
            jobs.register(kind, None)


async def test_a_busy_organization_lane_does_not_hide_a_job_without_organization(
    engine: AsyncEngine,
) -> None:
    slow = Blocking()
    jobs.register(KIND, slow)
    try:
        await _queue_as(engine, KIND, "org-job")
        async with jobs.Worker(sessions(engine), interval=0.05):
            await wait_until(lambda: slow.started == ["org-job"], what="the organization's job")
            await _queue_as(engine, KIND, "system-job", None)  # a lane of its own
            await wait_until(lambda: len(slow.started) == 2, what="the job without organization")
            slow.release.set()
            await _effects_become(engine, ["org-job", "system-job"])
    finally:
        jobs.register(KIND, None)
