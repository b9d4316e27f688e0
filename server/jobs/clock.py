"""The hourly clock of the periodic jobs: at start and every hour, each feature's `queue(db,
now)` is called in a transaction of its own. A feature keys what it queues by day or hour, so
however many processes tick, each sweep is one job; and a chain of sweeps broken for any reason
(a sweep that died after its last attempt, a long outage) starts again within the hour or the
day, without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.jobs.service import nudge

log = logging.getLogger(__name__)

Queue = Callable[[AsyncSession, datetime], Awaitable[bool]]


class Hourly:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        queues: Sequence[Queue],
        *,
        interval: float = 3600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions, self._queues = sessions, tuple(queues)
        self._interval, self._clock = interval, clock
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Hourly:
        self._task = asyncio.create_task(self._loop(), name="jobs-hourly")
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def tick(self) -> None:
        """Call every queue once, each in its own transaction: one failing spares the others."""
        now, queued = self._clock(), False
        for queue in self._queues:
            try:
                async with self._sessions.begin() as db:
                    queued = await queue(db, now) or queued
            except Exception:  # the database is away: the next hour tries again
                log.exception("queueing a periodic job failed")
        if queued:
            nudge()

    async def _loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)
