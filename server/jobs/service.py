"""Background jobs that survive restarts and bring each effect about once.

- `enqueue(db, kind=..., key=...)` in the caller's transaction: the job exists exactly when the
  caller's change commits, and a second `enqueue` of the same key is nothing (a unique
  constraint, not a check-then-insert).
- `Worker` claims due jobs (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several processes share
  the work; SQLite has one writer and the claim is conditional), runs the kind's handler in a
  transaction and marks the job done *in that transaction*: a handler's database effects and
  "done" commit together or not at all. A process killed mid-job leaves its lease to run out;
  the job is then due again. An effect outside the database (an e-mail) is therefore at least
  once, in a window of milliseconds between the other side's acceptance and our commit; its
  handler makes a repeat recognisable (a stable Message-ID).
- Claimed jobs run side by side, at most `CONCURRENCY` at once and one at a time per lane (a
  kind in an organization): a slow webhook endpoint or SMTP server holds back its own lane,
  not another organization's mail; two jobs of one lane never race on SQLite, where
  `FOR UPDATE` locks nothing. So a handler does its slow work (SMTP, HTTP, rendering) before
  its first write: on SQLite a written transaction holds the one write lock until it commits.
- A failure is retried with exponential backoff; after `MAX_ATTEMPTS`, or a `Permanent`
  failure, the job is dead: kept, listed for admins, retried only by hand.
- A handler with a schedule of its own (webhooks: the Standard Webhooks retry schedule) raises
  `Again(at)`: its effects so far (the attempt's log) commit, and the job is queued for `at`;
  it counts its attempts itself and gives up by returning.

No library did this on both SQLite and PostgreSQL in the application's own database
(docs/architecture.md, "Libraries"); the platforms outbox (server/platforms) follows the same
lease rules.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Final, NamedTuple

from sqlalchemy import and_, not_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.core.polling import Poller
from server.jobs.models import Job

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
STATUSES: Final = (QUEUED, RUNNING, DONE, DEAD)
MAX_ATTEMPTS: Final = 8
BASE_DELAY_SECONDS: Final = 10.0  # then doubling: 10 s, 20 s, 40 s ... capped at an hour
MAX_DELAY_SECONDS: Final = 3600.0
LEASE_SECONDS: Final = 120.0  # default: a job running longer is presumed dead and run again
CONCURRENCY: Final = 8  # jobs running at once in one process
CANDIDATES: Final = 50  # due jobs looked at per claim, to find free lanes among them
# On stop, what a running job gets to finish: a webhook's 10 s timeout, so a deploy does not
# cut a delivery or a mail between the other side's acceptance and our commit (a repeat).
STOP_GRACE_SECONDS: Final = 10.0
MAX_ERROR_CHARS: Final = 2000


class Permanent(Exception):
    """A failure that another attempt cannot fix (the invoice is gone): straight to dead."""


class Again(Exception):
    """Raised by a handler: keep what it wrote, run the job again at `at` (not a failure:
    neither the backoff nor `MAX_ATTEMPTS` applies)."""

    def __init__(self, at: datetime, reason: str) -> None:
        super().__init__(reason)
        self.at = at


@dataclass(frozen=True, slots=True)
class Context:
    """What a handler is given: its job, and the transaction its effects belong in."""

    db: AsyncSession
    job_id: str
    key: str
    org_id: str | None
    payload: dict[str, Any]
    attempt: int
    now: datetime


Lane = tuple[str, str | None]  # (kind, organization): one running job at a time


class Claim(NamedTuple):
    job_id: str
    attempts: int  # this run's attempt number
    lane: Lane


Handler = Callable[[Context], Awaitable[None]]
_handlers: dict[str, Handler] = {}
_workers: list[Worker] = []


def register(kind: str, handler: Handler | None) -> None:
    """The handler of a job kind in this process (None removes it)."""
    if handler is None:
        _handlers.pop(kind, None)
    else:
        _handlers[kind] = handler


def nudge() -> None:
    """Something was queued: wake this process's workers rather than wait for their poll."""
    for worker in _workers:
        worker.nudge()


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=min(BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS))


async def enqueue(
    db: AsyncSession,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any] | None = None,
    org_id: str | None = None,
    run_at: datetime | None = None,
) -> bool:
    """Queue `kind` once per `key`, in `db`'s transaction; False when the key was queued
    before (whatever became of it)."""
    now = datetime.now(UTC)
    values = {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "key": key,
        "org_id": org_id,
        "payload": json.dumps(payload or {}, separators=(",", ":")),
        "status": QUEUED,
        "attempts": 0,
        "run_at": run_at or now,
        "created_at": now,
        "updated_at": now,
    }
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    done = await db.execute(
        insert(Job).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


async def listing(
    db: AsyncSession, *, org_id: str, status: str | None = None, limit: int = 100
) -> list[Job]:
    """An organization's jobs, newest first."""
    query = select(Job).where(Job.org_id == org_id)
    if status is not None:
        query = query.where(Job.status == status)
    return list(await db.scalars(query.order_by(Job.created_at.desc()).limit(limit)))


async def retry(db: AsyncSession, *, org_id: str, job_id: str) -> Job | None:
    """A dead job of the organization queued again with its attempts reset; None if there is
    no such dead job."""
    job = await db.get(Job, job_id, with_for_update=True)
    if job is None or job.org_id != org_id or job.status != DEAD:
        return None
    now = datetime.now(UTC)
    job.status, job.attempts, job.run_at, job.updated_at = QUEUED, 0, now, now
    return job


class Worker(Poller):
    """Runs due jobs in the background, every `interval` seconds, when nudged (a job queued,
    a job finished), side by side (see the module's description)."""

    name = "jobs"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        interval: float = 2.0,
        lease_seconds: float = LEASE_SECONDS,
        concurrency: int = CONCURRENCY,
        grace_seconds: float = STOP_GRACE_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(interval=interval)
        self._sessions = sessions
        self._lease = timedelta(seconds=lease_seconds)
        self._grace = grace_seconds
        self._clock = clock
        self.batch = concurrency  # a round that fills every slot may have left more due
        self._running: dict[Lane, asyncio.Task[None]] = {}

    async def __aenter__(self) -> Worker:
        self.start()
        _workers.append(self)
        return self

    async def __aexit__(self, *_: object) -> None:
        _workers.remove(self)
        await self.stop()

    async def stop(self) -> None:
        """Stop claiming, give the jobs running `grace_seconds` to finish, then cancel the
        rest: their transactions roll back and their leases run out, so they are due again
        (here after a restart, or in another process)."""
        await super().stop()
        running = list(self._running.values())
        if running and self._grace > 0:
            await asyncio.wait(running, timeout=self._grace)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim what is due at `now` and run it; how many were claimed, once they have run."""
        started = await self._start(now or self._clock())
        await asyncio.gather(*started)
        return len(started)

    async def step(self) -> int:
        """The background round: start what is due without waiting for it to finish (each
        job's end nudges the next round)."""
        return len(await self._start(self._clock()))

    async def _start(self, now: datetime) -> list[asyncio.Task[None]]:
        free = self.batch - len(self._running)
        if free <= 0:
            return []
        started = []
        for claim in await self._claim(now, limit=free, busy=set(self._running)):
            task = asyncio.create_task(
                self._run(claim.job_id, claim.attempts, now), name=f"job-{claim.job_id}"
            )
            self._running[claim.lane] = task
            task.add_done_callback(partial(self._finished, claim.lane))
            started.append(task)
        return started

    def _finished(self, lane: Lane, _task: asyncio.Task[None]) -> None:
        del self._running[lane]
        self.nudge()

    async def _claim(
        self,
        now: datetime,
        *,
        limit: int = CONCURRENCY,
        busy: Collection[Lane] = (),
    ) -> list[Claim]:
        """Lease up to `limit` due jobs, the oldest first, at most one per lane and none of
        a `busy` lane (running here). Busy lanes are left out by the query itself, so that
        one organization's backlog cannot hide the jobs of others."""
        async with self._sessions.begin() as db:
            query = (
                select(Job.id, Job.attempts, Job.kind, Job.org_id)
                .where(
                    or_(Job.status == QUEUED, Job.status == RUNNING),
                    Job.run_at <= now,
                    Job.kind.in_(list(_handlers)),
                    *(not_(_in_lane(lane)) for lane in busy),
                )
                .order_by(Job.run_at)
                .limit(CANDIDATES)
                .with_for_update(skip_locked=True)
            )
            claimed: list[Claim] = []
            taken: set[Lane] = set()
            for job_id, attempts, kind, org_id in (await db.execute(query)).all():
                lane = (kind, org_id)
                if lane in taken:
                    continue
                # Conditional: SQLite reads before it takes its write lock, so another process
                # may have claimed the job since; only the update that still finds it wins.
                done = await db.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.attempts == attempts)
                    .values(
                        status=RUNNING,
                        attempts=attempts + 1,
                        run_at=now + self._lease,
                        updated_at=now,
                    )
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(Claim(job_id, attempts + 1, lane))
                    taken.add(lane)
                    if len(claimed) == limit:
                        break
            return claimed

    async def _run(self, job_id: str, attempts: int, now: datetime) -> None:
        try:
            async with self._sessions.begin() as db:
                job = await db.get(Job, job_id)
                assert job is not None
                handler = _handlers[job.kind]
                again: Again | None = None
                try:
                    await handler(
                        Context(
                            db, job.id, job.key, job.org_id, json.loads(job.payload), attempts, now
                        )
                    )
                except Again as asked:
                    again = asked
                finished = await self._finish(
                    db,
                    job_id,
                    attempts,
                    status=DONE if again is None else QUEUED,
                    run_at=now if again is None else again.at,
                    error=None if again is None else str(again)[:MAX_ERROR_CHARS],
                )
                if not finished:
                    raise _LeaseLost(job_id)  # another process runs it now: undo our effects
        except _LeaseLost:
            log.warning("job %s outlived its lease; its effects were rolled back", job_id)
        except Exception as exc:
            dead = isinstance(exc, Permanent) or attempts >= MAX_ATTEMPTS
            log.log(
                logging.ERROR if dead else logging.WARNING,
                "job %s failed (attempt %d)%s: %r",
                job_id,
                attempts,
                ", given up" if dead else "",
                exc,
            )
            async with self._sessions.begin() as db:
                await self._finish(
                    db,
                    job_id,
                    attempts,
                    status=DEAD if dead else QUEUED,
                    run_at=now if dead else now + backoff(attempts),
                    error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS],
                )

    @staticmethod
    async def _finish(
        db: AsyncSession,
        job_id: str,
        attempts: int,
        *,
        status: str,
        run_at: datetime,
        error: str | None = None,
    ) -> bool:
        """Only while the job is still this claim's: a lease that ran out was claimed again."""
        done = await db.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempts, Job.status == RUNNING)
            .values(status=status, run_at=run_at, last_error=error, updated_at=datetime.now(UTC))
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _in_lane(lane: Lane) -> Any:
    # Null-safe: with `org_id = ?`, a job without an organization would compare as unknown
    # and `NOT` of that would leave it out whenever an organization's lane of its kind is busy.
    kind, org_id = lane
    return and_(Job.kind == kind, Job.org_id.is_not_distinct_from(org_id))


class _LeaseLost(Exception):
    pass
