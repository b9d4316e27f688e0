"""The loaded rooms of this process: one shared load per document, unload only when idle.

Connections that open an unloaded document at the same instant all wait for the same load, and
all get their sync step 1 once it is done. A room unloads only if it is still unused after its
last write became durable; a failed load creates no room (so no empty document can ever be
saved over the real one) and every waiting connection is refused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from types import TracebackType
from typing import Protocol

from collab.shape import DocumentShape
from collab.sync.errors import CloseCode, LoadError, ShuttingDown
from collab.sync.inspect import Inspection
from collab.sync.limits import Limits
from collab.sync.peer import Identity
from collab.sync.persister import Persister
from collab.sync.room import Room
from collab.sync.store import UpdateStore, set_aside_unreplayable

log = logging.getLogger(__name__)


# How long shutdown waits for storage that keeps failing before giving up (and the persister
# logging what is lost): a stop must not hang, and an orchestrator kills us after ~30 s anyway.
_SHUTDOWN_WAIT_SECONDS = 5.0

# Prepares a room before anyone can join it, in two steps: the coroutine, given the document's
# id, reads what it needs while the document loads; what it returns is then applied, without
# an await, to the loaded room (policies, listeners, state). Reading alongside the log saves
# the read's time on every cold load (docs/benchmarks.md, "Cold load").
RoomSetup = Callable[[str], Awaitable[Callable[[Room], None]]]


class Broadcast(Protocol):
    """The other processes (collab/sync/cluster.py), for what the server says to a document's
    connections wherever they are."""

    def notice(self, doc_id: str, body: dict[str, object]) -> None: ...

    def frozen(self, doc_id: str, reason: str | None) -> None: ...

    @property
    def reachable(self) -> bool:
        """Whether messages reach the other processes now (False while the broker is away)."""
        ...


class RoomRegistry:
    def __init__(
        self,
        store: UpdateStore,
        persister: Persister,
        limits: Limits,
        *,
        shape: DocumentShape,
        setup: RoomSetup | None = None,
    ) -> None:
        self._shape = shape
        self.set_aside = 0  # log entries loads had to leave out since start (health shows it)
        self.handing_over = False  # stopping: no room is opened any more (see hand_over)
        self._setup = setup
        self._store = store
        self._persister = persister
        self._limits = limits
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        # Rooms told that storage is unavailable, to be told again when it is back.
        self._told_unavailable: set[str] = set()
        # Called with a room whose presence changed (someone came in or left), whichever room.
        self.on_presence: list[Callable[[Room], None]] = []
        # Called with each room once loaded, and once unloaded (the cluster follows them).
        self.on_loaded: list[Callable[[Room], None]] = []
        self.on_unloaded: list[Callable[[Room], None]] = []
        self.others: Broadcast | None = None  # set when several processes share the storage
        persister.on_change.append(self._storage_changed)

    async def __aenter__(self) -> RoomRegistry:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def persister(self) -> Persister:
        """The writer of this registry's rooms (its pending and quarantined counts, its
        storage state)."""
        return self._persister

    async def last_seq(self, doc_id: str) -> int:
        """The seq of the document's last durable log entry (flush first to include a room's)."""
        return await self._store.last_seq(doc_id)

    def get(self, doc_id: str) -> Room | None:
        return self._rooms.get(doc_id)

    @property
    def rooms(self) -> list[Room]:
        return list(self._rooms.values())

    async def acquire(self, doc_id: str) -> Room:
        """The loaded room for `doc_id`, loading it if needed; raise LoadError if it cannot be
        (ShuttingDown once this process hands its clients over)."""
        if self.handing_over:
            raise ShuttingDown("server shutting down")
        while True:
            room = self._rooms.get(doc_id)
            if room is not None:
                room.refs += 1
                if room.unload_task is not None:
                    room.unload_task.cancel()
                    room.unload_task = None
                return room
            task = self._loading.get(doc_id)
            if task is None:
                task = asyncio.create_task(self._load(doc_id), name=f"load-{doc_id}")
                self._loading[doc_id] = task
            # Shielded: one caller giving up must not cancel the load the others wait for.
            await asyncio.shield(task)

    def release(self, room: Room) -> None:
        room.refs -= 1
        if room.refs == 0 and self._rooms.get(room.doc_id) is room:
            room.unload_task = asyncio.create_task(
                self._unload_when_idle(room), name=f"unload-{room.doc_id}"
            )

    async def _load(self, doc_id: str) -> Room:
        # The setup reads (on the database's thread) while the log is read and replayed.
        setup = None if self._setup is None else asyncio.ensure_future(self._setup(doc_id))
        try:
            room = await self._build(doc_id)
            (_as_loaded if setup is None else await setup)(room)
        except Exception as exc:
            log.exception("loading document %s failed; refusing its connections", doc_id)
            raise LoadError(f"document {doc_id} could not be loaded") from exc
        finally:
            del self._loading[doc_id]
            if setup is not None and not setup.done():
                setup.cancel()
                await asyncio.gather(setup, return_exceptions=True)
        if room.unsnapshotted >= self._limits.compact_after_updates:
            room.write_snapshot()
        self._rooms[doc_id] = room
        for listener in self.on_loaded:
            listener(room)
        return room

    async def _build(self, doc_id: str) -> Room:
        stored = await self._store.load(doc_id)
        doc = stored.to_doc()
        if stored.quarantined:  # loaded without entries that cannot be replayed
            await set_aside_unreplayable(self._store, doc_id, stored.quarantined)
            self.set_aside += len(stored.quarantined)
        room = Room(
            doc_id,
            doc,
            last_seq=stored.last_seq,
            unsnapshotted=len(stored.updates),
            persister=self._persister,
            limits=self._limits,
            shape=self._shape,
        )
        # Nothing is accepted (and so fanned out) that cannot be made durable: while the
        # persister cannot write this document, every edit is refused and compensated.
        room.policies.append(partial(self._storage_policy, doc_id))
        room.join_notices.append(partial(self._storage_notice, doc_id))
        room.on_presence.append(self._presence_changed)
        return room

    async def _unload_when_idle(self, room: Room) -> None:
        await asyncio.sleep(self._limits.room_idle_unload_seconds)
        await self._unload(room)

    async def _unload(self, room: Room) -> None:
        if room.refs:
            return
        if room.unsnapshotted:
            room.write_snapshot()  # the next cold load reads one snapshot, not the log
        await self._persister.flush(doc_id=room.doc_id)
        # Re-checked after the await: a connection may have arrived while we flushed.
        if room.refs == 0 and self._rooms.get(room.doc_id) is room:
            del self._rooms[room.doc_id]
            self._told_unavailable.discard(room.doc_id)
            room.unload_task = None
            for listener in self.on_unloaded:
                listener(room)

    async def hand_over(self, wait: float = _SHUTDOWN_WAIT_SECONDS) -> int:
        """Before this process stops (a deploy, a scale-down): make every accepted update
        durable, then tell each client to reconnect elsewhere (1001, after its queued frames)
        and give the writers `wait` seconds to close. Returns how many were told. An update
        arriving after the flush is still written by `close`; a client whose last frames were
        not read sends them again on reconnect (the Yjs sync exchange)."""
        self.handing_over = True  # a client reconnecting here now is turned away (503)
        for room in self._rooms.values():
            if room.unsnapshotted:
                room.write_snapshot()
        await self._persister.flush(wait)
        peers = [peer for room in self._rooms.values() for peer in room.peers]
        for peer in peers:
            peer.close(CloseCode.GOING_AWAY, "server shutting down")
        try:
            async with asyncio.timeout(wait):
                await asyncio.gather(*(p.wait_closed() for p in peers), return_exceptions=True)
        except TimeoutError:
            log.warning("hand-over: some clients did not close within %s s", wait)
        return len(peers)

    async def close(self) -> None:
        """Shutdown: disconnect every peer (they reconnect elsewhere) and persist everything."""
        for room in list(self._rooms.values()):
            if room.unload_task is not None:
                room.unload_task.cancel()
            for peer in list(room.peers):
                peer.close(CloseCode.GOING_AWAY, "server shutting down")
            if room.unsnapshotted:
                room.write_snapshot()
        # Bounded: with storage down, shutting down must not hang forever (the persister logs
        # what it could not write).
        await self._persister.flush(_SHUTDOWN_WAIT_SECONDS)

    def announce(self, doc_id: str, body: dict[str, object]) -> None:
        """A server notice (a comment, a workflow change) to every connection of `doc_id`, in
        this process and the others."""
        room = self._rooms.get(doc_id)
        if room is not None:
            room.notify(body)
        if self.others is not None:
            self.others.notice(doc_id, body)

    def freeze(self, doc_id: str, reason: str | None) -> None:
        """`doc_id` refuses every edit for `reason` (None: editable again), in every process."""
        room = self._rooms.get(doc_id)
        if room is not None:
            room.frozen = reason
        if self.others is not None:
            self.others.frozen(doc_id, reason)

    def _presence_changed(self, room: Room) -> None:
        for listener in self.on_presence:
            listener(room)

    def _storage_policy(
        self, doc_id: str, _identity: Identity, _inspection: Inspection
    ) -> str | None:
        return self._persister.refusal(doc_id)

    def _storage_notice(self, doc_id: str) -> dict[str, object] | None:
        """What a joiner is told at once while its invoice cannot be saved."""
        reason = self._persister.refusal(doc_id)
        return (
            None
            if reason is None
            else {"type": "storage", "status": "unavailable", "reason": reason}
        )

    def _storage_changed(self) -> None:
        """Tell each room's connections when its storage fails or comes back."""
        for doc_id, room in self._rooms.items():
            reason = self._persister.refusal(doc_id)
            if reason is not None and doc_id not in self._told_unavailable:
                self._told_unavailable.add(doc_id)
                room.notify({"type": "storage", "status": "unavailable", "reason": reason})
            elif reason is None and doc_id in self._told_unavailable:
                self._told_unavailable.discard(doc_id)
                room.notify({"type": "storage", "status": "ok"})


def _as_loaded(_room: Room) -> None:
    """No setup: the room is served as it loaded."""
