"""A background loop that drains what is due in batches: every `interval` seconds, or at once
when nudged, and again while a round comes back full. The job worker (server/jobs) and the
e-invoicing dispatcher (server/platforms) are two of these over their own tables."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class Poller:
    """Subclasses say what one round does (`run_once`: how many items it took) and how many
    a full round takes (`batch`)."""

    batch = 10
    name = "poller"

    def __init__(self, *, interval: float) -> None:
        self._interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        raise NotImplementedError

    async def step(self) -> int:
        """One round of the background loop: `run_once` unless a subclass starts its work
        without waiting for it."""
        return await self.run_once()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def nudge(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                while await self.step() == self.batch:
                    pass  # a full round: there may be more due now
            except Exception:  # the database is away: the next round tries again
                log.exception("%s failed a round", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
