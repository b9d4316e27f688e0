"""Group commit of document updates, isolated per document.

Updates are fanned out as soon as they are applied and written here in the background: whatever
arrives while one transaction runs goes into the next, so an update is durable within one
transaction time of arriving (a few milliseconds on SQLite) whatever the load, and the database
sees one transaction per batch rather than per keystroke.

Failures never block other documents (issue 10, defect 12): when a batch fails, each document's
items are written on their own. A document whose write fails for a storage fault (disk full,
read-only file, database unreachable) waits with exponential backoff, bounded, and is reported
as unavailable so its room stops accepting edits (`refusal`). An entry the database refuses
itself (the store raises `EntryRefused`) is retried a few times alone, then quarantined: handed
to the store's `quarantine` if it has one, logged loudly, counted, and skipped so the rest of its
document flows again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

from collab.sync.store import LogEntry, Snapshot, UpdateStore

log = logging.getLogger(__name__)

Item = LogEntry | Snapshot

STORAGE_UNAVAILABLE = "storage unavailable: changes cannot be saved right now"


class EntryRefused(Exception):
    """Raised by a store when the database refuses the data itself (a constraint, a value it
    cannot hold): retrying the same entry will not help, while other entries may be fine."""


@runtime_checkable
class QuarantineStore(Protocol):
    async def quarantine(self, item: Item, reason: str) -> None:
        """Keep an entry the database refused, outside the log, for an operator."""
        ...


@dataclass(frozen=True, slots=True)
class Quarantined:
    doc_id: str
    seq: int
    kind: str  # "update" or "snapshot"
    reason: str


@dataclass(slots=True)
class _Document:
    """One document's items waiting to be written, in order, and its retry state."""

    items: deque[tuple[int, Item]]
    failures: int = 0  # consecutive failed attempts (storage faults)
    refusals: int = 0  # times the head item alone was refused
    not_before: float = 0.0  # loop time of the next attempt
    fault: str | None = None  # why its last attempt failed, while it keeps failing


class Persister:
    def __init__(
        self,
        store: UpdateStore,
        *,
        max_batch: int = 2000,
        first_retry_delay: float = 0.05,
        max_retry_delay: float = 5.0,
        refusal_attempts: int = 3,
        shutdown_wait: float = 2.0,
    ) -> None:
        self._store = store
        self._max_batch = max_batch
        self._first_delay = first_retry_delay
        self._max_delay = max_retry_delay
        self._refusal_attempts = refusal_attempts
        # With storage down, stopping must not hang forever: wait this long, then report.
        self._shutdown_wait = shutdown_wait
        self._docs: dict[str, _Document] = {}
        self._tickets = itertools.count(1)
        self._issued = 0
        self._pending = 0
        self._wake = asyncio.Event()
        self._waiters: list[tuple[int, str | None, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        # Set when every document tried in one round failed for a storage fault: the whole
        # database is down, so every room refuses edits, not only those that had some queued.
        self._outage: str | None = None
        self._last_fault = "storage unavailable"
        self.quarantined: list[Quarantined] = []
        # Called whenever `refusal` may have changed for some document.
        self.on_change: list[Callable[[], None]] = []

    async def __aenter__(self) -> Persister:
        self._task = asyncio.create_task(self._run(), name="persister")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.flush(self._shutdown_wait)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pending:
            log.critical("stopping with %d updates NOT durable (storage failing)", self._pending)

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def degraded(self) -> str | None:
        """Why some updates cannot be made durable now, or None when storage works."""
        if self._outage is not None:
            return self._outage
        return next((d.fault for d in self._docs.values() if d.fault), None)

    def refusal(self, doc_id: str) -> str | None:
        """Why edits to `doc_id` must be refused now (they could not be made durable)."""
        doc = self._docs.get(doc_id)
        if self._outage is not None or (doc is not None and doc.fault is not None):
            return STORAGE_UNAVAILABLE
        return None

    def append(self, entry: LogEntry) -> None:
        self._put(entry)

    def snapshot(self, snapshot: Snapshot) -> None:
        """Queue a snapshot; it is written after every entry of its document queued before it."""
        self._put(snapshot)

    def _put(self, item: Item) -> None:
        doc = self._docs.get(item.doc_id)
        if doc is None:
            doc = self._docs[item.doc_id] = _Document(deque())
        self._issued = next(self._tickets)
        doc.items.append((self._issued, item))
        self._pending += 1
        self._wake.set()

    async def flush(self, give_up_after: float | None = None, *, doc_id: str | None = None) -> bool:
        """Wait until everything queued so far (of `doc_id`, or of every document) is durable
        or quarantined; False on timeout."""
        target = self._issued
        if self._done_through(target, doc_id):
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((target, doc_id, future))
        try:
            await asyncio.wait_for(asyncio.shield(future), give_up_after)
        except TimeoutError:
            return False
        return True

    def _done_through(self, target: int, doc_id: str | None = None) -> bool:
        if doc_id is not None:
            doc = self._docs.get(doc_id)
            return doc is None or not doc.items or doc.items[0][0] > target
        return all(doc.items[0][0] > target for doc in self._docs.values() if doc.items)

    # -- the writer ------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            ready = [d for d in self._docs.items() if d[1].items and d[1].not_before <= now]
            if not ready:
                await self._sleep_until_due(loop.time())
                continue
            await self._round(ready)
            self._forget_idle()
            self._release_waiters()

    async def _sleep_until_due(self, now: float) -> None:
        self._wake.clear()
        due = [d.not_before for d in self._docs.values() if d.items]
        timeout = max(0.0, min(due) - now) if due else None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _round(self, ready: list[tuple[str, _Document]]) -> None:
        """Write what the ready documents hold: one transaction, per document if it fails."""
        chosen: list[tuple[str, _Document, int]] = []
        room = self._max_batch
        for doc_id, doc in ready:
            if room <= 0:
                break
            count = min(len(doc.items), room)
            chosen.append((doc_id, doc, count))
            room -= count
        if len(chosen) > 1:
            items = [item for _, doc, n in chosen for _, item in itertools.islice(doc.items, n)]
            try:
                await self._write(items)
            except Exception:
                log.warning("a batch of %d documents failed; writing each alone", len(chosen))
            else:
                for _, doc, count in chosen:
                    self._written(doc, count)
                self._set_outage(None)
                return
        # Isolate: one document's failure must not hold the others back.
        faults = 0
        for doc_id, doc, count in chosen:
            if not await self._write_document(doc_id, doc, count):
                faults += 1
        self._set_outage(self._last_fault if faults == len(chosen) else None)

    async def _write_document(self, doc_id: str, doc: _Document, count: int) -> bool:
        """Write `count` items of one document; False if a storage fault stopped it."""
        try:
            await self._write([item for _, item in itertools.islice(doc.items, count)])
        except EntryRefused:
            return await self._write_one_by_one(doc_id, doc, count)
        except Exception as exc:
            self._fault(doc_id, doc, exc)
            return False
        self._written(doc, count)
        return True

    async def _write_one_by_one(self, doc_id: str, doc: _Document, count: int) -> bool:
        for _ in range(count):
            _, item = doc.items[0]
            try:
                await self._write([item])
            except EntryRefused as exc:
                doc.refusals += 1
                if doc.refusals < self._refusal_attempts:
                    doc.not_before = self._later(doc.refusals)
                    return True  # not a storage fault; retried alone after the backoff
                await self._quarantine(item, exc)
            except Exception as exc:
                self._fault(doc_id, doc, exc)
                return False
            self._written(doc, 1)
        return True

    async def _write(self, items: Sequence[Item]) -> None:
        entries = [item for item in items if isinstance(item, LogEntry)]
        snapshots = [item for item in items if isinstance(item, Snapshot)]
        await self._store.write(entries, snapshots)

    def _written(self, doc: _Document, count: int) -> None:
        for _ in range(count):
            doc.items.popleft()
        self._pending -= count
        doc.failures = doc.refusals = 0
        doc.not_before = 0.0
        if doc.fault is not None:
            doc.fault = None
            self._changed()

    def _fault(self, doc_id: str, doc: _Document, exc: Exception) -> None:
        doc.failures += 1
        doc.not_before = self._later(doc.failures)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        self._last_fault = reason
        log.error(
            "writing %d updates of %s failed (attempt %d), retrying in %.2fs: %s",
            len(doc.items),
            doc_id,
            doc.failures,
            doc.not_before - asyncio.get_running_loop().time(),
            reason,
        )
        if doc.fault is None:
            doc.fault = reason
            self._changed()

    def _later(self, attempts: int) -> float:
        delay = min(self._first_delay * 2.0 ** (attempts - 1), self._max_delay)
        return asyncio.get_running_loop().time() + delay

    async def _quarantine(self, item: Item, exc: Exception) -> None:
        kind = "update" if isinstance(item, LogEntry) else "snapshot"
        reason = f"{type(exc.__cause__ or exc).__name__}: {exc.__cause__ or exc}"[:500]
        self.quarantined.append(Quarantined(item.doc_id, item.seq, kind, reason))
        # Loud: an accepted update is now outside the log (a refused snapshot loses nothing,
        # the log it summarises stays).
        log.critical(
            "QUARANTINED %s %s seq %d (%d bytes), refused by the database: %s",
            kind,
            item.doc_id,
            item.seq,
            len(item.data),
            reason,
        )
        if isinstance(self._store, QuarantineStore):
            try:
                await self._store.quarantine(item, reason)
            except Exception:
                log.exception("keeping the quarantined %s %s seq %d failed", kind, *_at(item))

    def _set_outage(self, reason: str | None) -> None:
        if (reason is None) != (self._outage is None):
            self._outage = reason
            self._changed()

    def _changed(self) -> None:
        for listener in self.on_change:
            try:
                listener()
            except Exception:
                log.exception("a storage state listener failed")

    def _forget_idle(self) -> None:
        for doc_id in [k for k, d in self._docs.items() if not d.items and d.fault is None]:
            del self._docs[doc_id]

    def _release_waiters(self) -> None:
        still_waiting = []
        for target, doc_id, future in self._waiters:
            if self._done_through(target, doc_id):
                if not future.done():
                    future.set_result(None)
            elif not future.done():
                still_waiting.append((target, doc_id, future))
        self._waiters = still_waiting


def _at(item: Item) -> tuple[str, int]:
    return item.doc_id, item.seq
