"""Group commit of document updates.

Updates are fanned out as soon as they are applied and written here in the background: whatever
arrives while one transaction runs goes into the next, so an update is durable within one
transaction time of arriving (a few milliseconds on SQLite) whatever the load, and the database
sees one transaction per batch rather than per keystroke.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from types import TracebackType

from collab.sync.store import LogEntry, Snapshot, UpdateStore

log = logging.getLogger(__name__)

_MAX_RETRY_DELAY = 5.0


class Persister:
    def __init__(self, store: UpdateStore, *, max_batch: int = 2000) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: deque[LogEntry | Snapshot] = deque()
        self._wake = asyncio.Event()
        self._enqueued = 0
        self._committed = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Persister:
        self._task = asyncio.create_task(self._run(), name="persister")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @property
    def pending(self) -> int:
        return self._enqueued - self._committed

    def append(self, entry: LogEntry) -> None:
        self._put(entry)

    def snapshot(self, snapshot: Snapshot) -> None:
        """Queue a snapshot; it is written after every entry queued before it."""
        self._put(snapshot)

    def _put(self, item: LogEntry | Snapshot) -> None:
        self._queue.append(item)
        self._enqueued += 1
        self._wake.set()

    async def flush(self) -> None:
        """Return once everything queued so far is durable."""
        target = self._enqueued
        if self._committed >= target:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, future))
        await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                count = min(len(self._queue), self._max_batch)
                batch = [self._queue[i] for i in range(count)]
                await self._write_with_retry(batch)
                for _ in range(count):
                    self._queue.popleft()
                self._committed += count
                self._release_waiters()

    async def _write_with_retry(self, batch: list[LogEntry | Snapshot]) -> None:
        entries = [item for item in batch if isinstance(item, LogEntry)]
        snapshots = [item for item in batch if isinstance(item, Snapshot)]
        delay = 0.05
        while True:
            try:
                await self._store.write(entries, snapshots)
                return
            except Exception:
                # Keep the batch: nothing acknowledged may be dropped. Retry until the store
                # is back; updates keep queueing in memory meanwhile.
                log.exception("writing %d updates failed; retrying in %.2fs", len(batch), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_RETRY_DELAY)

    def _release_waiters(self) -> None:
        still_waiting = []
        for target, future in self._waiters:
            if self._committed >= target:
                if not future.done():
                    future.set_result(None)
            else:
                still_waiting.append((target, future))
        self._waiters = still_waiting
