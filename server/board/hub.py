"""The board's live side: who watches which organization's board, and the per-card deltas.

A change anywhere (server/core/changes.py, the rooms' presence) marks its invoice; within
`debounce` seconds every marked invoice is read again, in one batch, and its card is sent to
the subscribers of its organization (looked up in the database, never taken from the caller),
as one frame per card, encoded once for all of them. Nothing is read while nobody watches.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.sync import Room, RoomRegistry
from server.auth.service import Capability, Role, can
from server.board import service as board
from server.board.relay import RemotePresence
from server.core.bus import Bus
from server.invoices import service as invoices

log = logging.getLogger(__name__)

POLICY_VIOLATION, SERVICE_RESTART, TRY_AGAIN_LATER = 1008, 1012, 1013


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


class Subscriber:
    """One board socket: a bounded queue of text frames its writer drains. Overflowing it
    closes the socket (the client reconnects and gets a fresh snapshot): a slow watcher never
    slows the others."""

    __slots__ = ("close_code", "close_reason", "org_id", "queue", "ready", "session_id", "user_id")

    def __init__(self, *, org_id: str, user_id: str, session_id: str) -> None:
        self.org_id, self.user_id, self.session_id = org_id, user_id, session_id
        self.queue: deque[str] = deque()
        self.ready = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""

    def send(self, frame: str, *, limit: int) -> None:
        if self.close_code is not None:
            return
        if len(self.queue) >= limit:
            self.close(TRY_AGAIN_LATER, "too slow; reconnect")
            return
        self.queue.append(frame)
        self.ready.set()

    def close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self.ready.set()

    async def next(self) -> str | None:
        """The next frame to write; None once the socket must close."""
        while not self.queue and self.close_code is None:
            self.ready.clear()
            await self.ready.wait()
        return None if self.close_code is not None else self.queue.popleft()


class BoardHub:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        registry: RoomRegistry,
        *,
        debounce: float = 0.05,
        queue_limit: int = 512,
        bus: Bus | None = None,
    ) -> None:
        self._sessions = sessions
        self._registry = registry
        self._debounce = debounce
        self.queue_limit = queue_limit
        self._subscribers: defaultdict[str, set[Subscriber]] = defaultdict(set)
        self._pending: set[str] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing = asyncio.Lock()  # batches go out in order
        self._tasks: set[asyncio.Task[None]] = set()
        # With several processes, who is in which invoice on the others (docs/board.md).
        self._remote = (
            None if bus is None else RemotePresence(bus, registry, changed=self.invoice_changed)
        )

    # -- subscribers ----------------------------------------------------------------------

    def add(self, subscriber: Subscriber) -> None:
        self._subscribers[subscriber.org_id].add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        watchers = self._subscribers.get(subscriber.org_id)
        if watchers is not None:
            watchers.discard(subscriber)
            if not watchers:
                del self._subscribers[subscriber.org_id]

    async def snapshot(self, org_id: str) -> str:
        found, _ = await board.cards(
            self._sessions, self._registry, org_id=org_id, elsewhere=self.present_elsewhere
        )
        at = datetime.now(UTC).isoformat()
        return await asyncio.to_thread(encode, {"type": "snapshot", "cards": found, "at": at})

    # -- access changes (auth.live.LiveSockets) -------------------------------------------

    def end_sessions(self, session_ids: set[str], reason: str) -> int:
        return self._close(lambda s: s.session_id in session_ids, reason)

    def apply_membership(self, *, user_id: str, org_id: str, role: Role | None) -> None:
        if role is None or not can(role, Capability.INVOICE_READ):
            self._close(lambda s: s.user_id == user_id and s.org_id == org_id, "membership removed")

    def _close(self, predicate: Callable[[Subscriber], bool], reason: str) -> int:
        matching = [s for group in self._subscribers.values() for s in group if predicate(s)]
        for subscriber in matching:
            subscriber.close(POLICY_VIOLATION, reason)
        return len(matching)

    def reload(self, org_id: str) -> None:
        """Every card of the organization changed (new priority weights): rather than thousands
        of deltas, its board sockets close with 1012 and reconnect to a fresh snapshot."""
        for subscriber in self._subscribers.get(org_id, ()):
            subscriber.close(SERVICE_RESTART, "priority weights changed; reconnect")

    def close(self) -> None:
        """Shutdown: every board socket closes (clients reconnect elsewhere)."""
        self._close(lambda _: True, "server shutting down")
        if self._timer is not None:
            self._timer.cancel()
        if self._remote is not None:
            self._remote.close()

    # -- changes --------------------------------------------------------------------------

    def invoice_changed(self, _org_id: str | None, invoice_id: str) -> None:
        """A listener of server.core.changes: mark the invoice, flush within `debounce`."""
        if not self._subscribers:
            return  # nobody watches: nothing to read
        self._pending.add(invoice_id)
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._debounce, self._start_flush)

    def presence_changed(self, room: Room) -> None:
        """A listener of the registry: someone opened or left an invoice."""
        if self._remote is not None:
            self._remote.room_changed(room)  # the other processes' boards show them too
        self.invoice_changed(None, room.doc_id)

    def present_elsewhere(
        self, invoice_ids: Collection[str] | None
    ) -> Mapping[str, Sequence[Mapping[str, str]]]:
        """The people in these invoices (all when None) on the other processes."""
        return {} if self._remote is None else self._remote.users(invoice_ids)

    def _start_flush(self) -> None:
        self._timer = None
        batch, self._pending = self._pending, set()
        task = asyncio.create_task(self._flush(batch), name="board-flush")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush(self, batch: set[str]) -> None:
        async with self._flushing:
            try:
                await self._send(batch)
            except Exception:  # the next change or a reconnect's snapshot catches up
                log.exception("sending board deltas failed")

    async def _send(self, batch: set[str]) -> None:
        async with self._sessions() as db:
            orgs = await invoices.orgs_of(db, batch)
        by_org: defaultdict[str, set[str]] = defaultdict(set)
        for invoice_id, org_id in orgs.items():
            if org_id in self._subscribers:
                by_org[org_id].add(invoice_id)
        for org_id, ids in by_org.items():
            found, _ = await board.cards(
                self._sessions,
                self._registry,
                org_id=org_id,
                invoice_ids=ids,
                elsewhere=self.present_elsewhere,
            )
            frames = [encode({"type": "card", "card": card}) for card in found]
            shown = {card["id"] for card in found}
            frames += [encode({"type": "remove", "id": gone}) for gone in sorted(ids - shown)]
            for subscriber in list(self._subscribers.get(org_id, ())):
                for frame in frames:
                    subscriber.send(frame, limit=self.queue_limit)
