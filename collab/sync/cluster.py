"""Several processes holding the same documents: what each sends the others, and how they
converge when messages are lost.

Every process may load any document and accept its own clients' edits (inspected and logged
there, once). What a room accepts is published on the document's channel and applied by the
other processes that hold it, without inspection or logging (`Room.apply_remote`); presence
travels the same way, owned by the sending process so that it goes when that process does.

The transport is at-most-once (Redis pub/sub), so nothing here relies on a message arriving.
Each process announces its state vector and a digest of its delete set for every loaded room
when it loads it, after every reconnection and every `reconcile_seconds`; a process that holds
something the announcer lacks answers with exactly that difference. A lost update therefore
delays convergence by at most one period, and never prevents it (docs/architecture.md,
"Several processes").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from enum import IntEnum
from functools import partial
from typing import Protocol

from collab.sync.errors import CollabError, is_crdt_failure
from collab.sync.protocol import (
    AwarenessEntry,
    Reader,
    decode_awareness,
    encode_awareness_update,
    write_var_bytes,
)
from collab.sync.registry import RoomRegistry
from collab.sync.remote import (
    ClusterLocks,
    RemoteProcess,
    forget_process,
    holds_own_locks,
    mirror_locks,
    own_locks,
)
from collab.sync.room import Room
from collab.sync.state_vectors import decode_state_vector, delete_set_digest

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], None]  # (sending process, payload)


class Transport(Protocol):
    """What the cluster needs of a broker: fire-and-forget publish and channel subscriptions;
    a process never receives its own messages (server/core/bus.py on Redis)."""

    def publish(self, channel: str, payload: bytes) -> None: ...

    def subscribe(
        self, channel: str, handler: Handler, ready: Callable[[], None] | None = None
    ) -> None:
        """`ready` is called once messages published on `channel` reach `handler`."""
        ...

    def unsubscribe(self, channel: str) -> None: ...

    @property
    def problem(self) -> str | None:
        """Why messages cannot reach the other processes now (the broker is away), or None."""
        ...


class Kind(IntEnum):
    UPDATE = 1  # an update to apply
    SYNC = 2  # "this is my state": answer with what I lack
    AWARENESS = 3  # presence entries of the sender's connections
    NOTICE = 4  # a server notice for every connection (a comment, a workflow change)
    FROZEN = 5  # the document stopped (or started) accepting edits, and why
    LOCKS = 6  # the locks the sender's connections hold (all of them: it replaces the last)


# Presence entries one message may carry: a room's presence is bounded by its connections.
_MAX_AWARENESS_ENTRIES = 1_000
# A room answers a state it is behind with its own at most this often (no ping-pong).
_ASK_INTERVAL = 0.5
# A process not heard on a document's channel for this many reconciliation periods no longer
# holds it (it announces itself every period while it does).
_HOLDER_SILENCE = 2.5
# The first byte of a SYNC: the sender just loaded the room or reconnected.
_ARRIVED = b"\x01"


class Cluster:
    def __init__(
        self,
        registry: RoomRegistry,
        transport: Transport,
        *,
        locks: ClusterLocks | None = None,
        reconcile_seconds: float = 5.0,
    ) -> None:
        self._registry = registry
        self._transport = transport
        self._locks = locks
        self._background: set[asyncio.Task[None]] = set()
        self._reconcile = reconcile_seconds
        self._digests: dict[str, tuple[int, bytes]] = {}  # doc id -> (room version, digest)
        self._asked: dict[str, float] = {}  # doc id -> loop time of our last SYNC
        # doc id -> the processes heard on its channel -> loop time they were last heard
        self._holders: dict[str, dict[str, float]] = {}
        self._task: asyncio.Task[None] | None = None
        self.sent_updates = 0
        self.repairs = 0  # differences sent because another process lacked them
        # Called with rooms whose state outside the document (the server's, e.g. `frozen`) may
        # have missed a message: a room whose channel just went live, every room after a
        # reconnection and at each periodic reconciliation.
        self.on_recheck: list[Callable[[list[Room]], None]] = []
        registry.on_loaded.append(self.attach)
        registry.on_unloaded.append(self.detach)
        registry.others = self

    async def __aenter__(self) -> Cluster:
        self._task = asyncio.create_task(self._periodically(), name="cluster-reconcile")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    # -- rooms ----------------------------------------------------------------------------

    def attach(self, room: Room) -> None:
        """A room loaded here: hear its channel, and ask the others for what storage lacked
        (edits not durable yet when we loaded)."""
        room.relay = self
        room.locks.arbiter = self._locks
        room.locks.on_changed.append(partial(self._share_locks, room))
        self._transport.subscribe(
            _channel(room.doc_id), self._handler(room.doc_id), partial(self._ready, room)
        )

    def _ready(self, room: Room) -> None:
        if self._registry.get(room.doc_id) is room:
            self._announce(room, arrived=True)
            self._recheck([room])

    def detach(self, room: Room) -> None:
        room.relay = None
        room.locks.arbiter = None
        self._transport.unsubscribe(_channel(room.doc_id))
        for table in (self._digests, self._asked, self._holders):
            table.pop(room.doc_id, None)

    # -- what a room sends (Room.relay) -------------------------------------------------------

    def update(self, room: Room, update: bytes) -> None:
        if self._shared(room.doc_id):
            self.sent_updates += 1
            self._send(room.doc_id, Kind.UPDATE, update)

    def awareness(self, room: Room, entries: list[AwarenessEntry]) -> None:
        if self._shared(room.doc_id):
            self._send(room.doc_id, Kind.AWARENESS, encode_awareness_update(entries))

    def _shared(self, doc_id: str) -> bool:
        """Whether another process was heard on the document's channel lately. One that loads
        it announces itself once subscribed, and our answer to that brings it everything it
        lacks, so nothing needs publishing before: a document held by one process (one
        editor, or one process in all) costs no Redis traffic beyond its announcements."""
        heard = self._holders.get(doc_id)
        if not heard:
            return False
        recent = asyncio.get_running_loop().time() - _HOLDER_SILENCE * self._reconcile
        return any(at >= recent for at in heard.values())

    # -- what the server sends ----------------------------------------------------------------

    @property
    def reachable(self) -> bool:
        """Whether what this process sends can reach the other processes now."""
        return self._transport.problem is None

    def notice(self, doc_id: str, body: dict[str, object]) -> None:
        """A notice for every connection of `doc_id` on the other processes."""
        self._send(doc_id, Kind.NOTICE, json.dumps(body, separators=(",", ":")).encode())

    def frozen(self, doc_id: str, reason: str | None) -> None:
        """`doc_id` stopped accepting edits (`reason`) or accepts them again (None)."""
        self._send(doc_id, Kind.FROZEN, json.dumps(reason).encode())

    # -- the other processes ----------------------------------------------------------------

    def reconcile(self, *, arrived: bool = True) -> None:
        """Announce every loaded room's state: after a reconnection (`arrived`), to repair
        whatever was lost, presence included; periodically, in case a message was lost."""
        rooms = list(self._registry.rooms)
        self._recheck(rooms)  # first: it needs the database only, Redis may be away
        for room in rooms:
            self._announce(room, arrived=arrived)

    def process_seen(self, process_id: str) -> None:
        """A process (re)appeared: send it our connections' presence at once, rather than at
        their next renewal."""
        for room in self._registry.rooms:
            self._share_own(room)

    def process_gone(self, process_id: str) -> None:
        """A process died or lost us: its connections' presence leaves every room here, and
        each room it shared is snapshotted, so that what it accepted but may not have written
        is durable through us."""
        owner = RemoteProcess(process_id)
        for room in self._registry.rooms:
            removed = room.awareness.remove_owner(owner)
            if removed:
                room.broadcast_awareness(removed, relay=False)
                room.presence_changed()
            if self._locks is None:
                room.locks.release_owner(owner)
            else:
                task = asyncio.create_task(forget_process(self._locks, room, owner))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
            holders = self._holders.get(room.doc_id, {})
            if holders.pop(process_id, None) is not None:
                room.write_snapshot()

    # -- internals ------------------------------------------------------------------------

    def _recheck(self, rooms: list[Room]) -> None:
        if rooms:
            for hook in self.on_recheck:
                hook(rooms)

    def _share_own(self, room: Room) -> None:
        """Send this process's connections' presence and locks (to a process that lacks them)."""
        owned = room.awareness.owned()
        mine = [entry for entry, owner in owned if not isinstance(owner, RemoteProcess)]
        if mine:
            self.awareness(room, mine)
        if holds_own_locks(room):
            self._share_locks(room)

    def _share_locks(self, room: Room) -> None:
        self._send(room.doc_id, Kind.LOCKS, own_locks(room))

    def _send(self, doc_id: str, kind: Kind, payload: bytes) -> None:
        self._transport.publish(_channel(doc_id), bytes((kind,)) + payload)

    def _handler(self, doc_id: str) -> Handler:
        def handle(origin: str, payload: bytes) -> None:
            room = self._registry.get(doc_id)
            if room is None or not payload:
                return
            now = asyncio.get_running_loop().time()
            heard = self._holders.setdefault(doc_id, {})
            last = heard.get(origin)
            heard[origin] = now
            met = last is None or now - last > _HOLDER_SILENCE * self._reconcile
            try:
                if met:
                    self._met(room)
                self._receive(room, origin, Kind(payload[0]), payload[1:], met=met)
            except (CollabError, ValueError, IndexError, TypeError, KeyError) as exc:
                log.error("a message from process %s on %s is malformed: %s", origin, doc_id, exc)
            except BaseException as exc:
                if not is_crdt_failure(exc):
                    raise
                log.error(
                    "an update from process %s on %s cannot be applied: %r", origin, doc_id, exc
                )

        return handle

    def _receive(self, room: Room, origin: str, kind: Kind, body: bytes, *, met: bool) -> None:
        if kind is Kind.UPDATE:
            room.apply_remote(body)
        elif kind is Kind.SYNC:
            if body[:1] == _ARRIVED and not met:
                self._share_own(room)  # it has not seen our connections' presence
            self._answer(room, body[1:])
        elif kind is Kind.AWARENESS:
            entries = decode_awareness(body, max_entries=_MAX_AWARENESS_ENTRIES)
            present = len(room.awareness)
            result = room.awareness.apply(RemoteProcess(origin), entries)
            if result.forward:
                room.broadcast_awareness(result.forward, relay=False)
                if len(room.awareness) != present:
                    room.presence_changed()
        elif kind is Kind.NOTICE:
            notice = json.loads(body)
            if isinstance(notice, dict):
                room.notify(notice)
        elif kind is Kind.LOCKS:
            mirror_locks(room, origin, body)
        elif kind is Kind.FROZEN:
            reason = json.loads(body)
            room.frozen = reason if isinstance(reason, str) else None

    def _met(self, room: Room) -> None:
        """Another process is heard on `room`'s channel for the first time (or after a
        silence): what we published nothing of while we were alone may be missing there, our
        connections' presence and edits accepted before it was heard. Presence goes at once;
        our state, announced, brings back a request for whatever it lacks."""
        self._share_own(room)
        self._announce(room)

    def _announce(self, room: Room, *, arrived: bool = False) -> None:
        """Say what `room` holds; `arrived`: we just loaded it or reconnected, and lack the
        others' presence too."""
        self._asked[room.doc_id] = asyncio.get_running_loop().time()
        out = bytearray(_ARRIVED if arrived else b"\x00")
        write_var_bytes(out, room.doc.get_state())
        out += self._digest(room)
        self._send(room.doc_id, Kind.SYNC, bytes(out))

    def _answer(self, room: Room, body: bytes) -> None:
        reader = Reader(body)
        their_state = reader.var_bytes()
        their_digest = reader.rest()
        theirs = decode_state_vector(their_state)
        ours = decode_state_vector(room.doc.get_state())
        same_deletes = their_digest == self._digest(room)
        if not same_deletes or any(clock > theirs.get(c, 0) for c, clock in ours.items()):
            self.repairs += 1
            self._send(room.doc_id, Kind.UPDATE, room.doc.get_update(their_state))
        behind = any(clock > ours.get(c, 0) for c, clock in theirs.items())
        now = asyncio.get_running_loop().time()
        if (behind or not same_deletes) and now - self._asked.get(room.doc_id, 0) > _ASK_INTERVAL:
            self._announce(room)

    def _digest(self, room: Room) -> bytes:
        cached = self._digests.get(room.doc_id)
        if cached is not None and cached[0] == room.version:
            return cached[1]
        digest = delete_set_digest(room.doc.get_update(room.doc.get_state()))
        self._digests[room.doc_id] = (room.version, digest)
        return digest

    async def _periodically(self) -> None:
        while True:
            await asyncio.sleep(self._reconcile)
            try:
                self.reconcile(arrived=False)
            except Exception:
                log.exception("reconciling the loaded rooms failed")


def _channel(doc_id: str) -> str:
    return f"doc:{doc_id}"
