"""The sweep's clock: at start and every hour, a sweep of today is queued; its key makes it one
job per hour however many processes ask, and a server that was down catches up on start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.jobs import service as jobs
from server.reminders import service as reminders

log = logging.getLogger(__name__)


class Daily:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        interval: float = 3600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions, self._interval, self._clock = sessions, interval, clock
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Daily:
        self._task = asyncio.create_task(self._loop(), name="reminders-daily")
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                now = self._clock()
                async with self._sessions.begin() as db:
                    queued = await reminders.queue_sweep(db, now.date(), round_=f"{now.hour:02}")
                if queued:
                    jobs.nudge()
            except Exception:  # the database is away: the next hour tries again
                log.exception("queueing the reminder sweep failed")
            await asyncio.sleep(self._interval)
