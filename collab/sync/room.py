"""One loaded document with the peers connected to it.

The room owns the live `pycrdt.Doc`, the presence view and the set of peers. `receive` handles one
frame from one peer synchronously: decode, apply, queue what must be sent. Each outgoing message
is encoded once and the same bytes go to every peer's queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NoReturn, Protocol

from pycrdt import Doc

from collab.shape import DocumentShape
from collab.sync.awareness import AwarenessView, stamp_user
from collab.sync.errors import (
    CloseCode,
    FrameTooLarge,
    InvalidUpdate,
    ProtocolError,
    ResyncRequired,
    is_crdt_failure,
)
from collab.sync.inspect import Inspection, Policy, UpdateInspector
from collab.sync.limits import Limits
from collab.sync.peer import Identity, Peer
from collab.sync.persister import Persister
from collab.sync.protocol import (
    AwarenessEntry,
    AwarenessMessage,
    NoticeMessage,
    QueryAwarenessMessage,
    SyncMessage,
    SyncType,
    checked_state,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_notice,
    encode_permission_denied,
    encode_sync_step1,
    encode_sync_step2,
    encode_update,
    read_awareness,
)
from collab.sync.room_locks import RoomLocks
from collab.sync.store import LogEntry, Snapshot

log = logging.getLogger(__name__)

# What a Yjs encoder writes for an update with no structs and no deletions.
_EMPTY_UPDATE = b"\x00\x00"


def _refusal(reason: str, inspection: Inspection, *, resync: bool) -> dict[str, object]:
    return {
        "type": "update_refused",
        "reason": reason,
        "paths": sorted(inspection.paths()),
        "resync": resync,
    }


class Relay(Protocol):
    """The other processes holding the same document (collab/sync/cluster.py)."""

    def update(self, room: Room, update: bytes) -> None: ...

    def awareness(self, room: Room, entries: list[AwarenessEntry]) -> None: ...


class Room:
    def __init__(
        self,
        doc_id: str,
        doc: Doc[Any],
        *,
        last_seq: int,
        unsnapshotted: int,
        persister: Persister,
        limits: Limits,
        shape: DocumentShape,
    ) -> None:
        self.doc_id = doc_id
        self.shape = shape
        self.doc = doc
        self.peers: set[Peer] = set()
        self.awareness = AwarenessView(max_ids_per_owner=limits.awareness_ids_per_connection)
        self.seq = last_seq
        self.unsnapshotted = unsnapshotted
        self.refs = 0  # connections holding the room, including those not yet joined
        self.version = 0  # counts changes of the live document (whatever their origin)
        # Set when other processes may hold this document too: what this room accepts and its
        # connections' presence are sent to them.
        self.relay: Relay | None = None
        self.unload_task: asyncio.Task[None] | None = None
        self.policies: list[Policy] = []
        # Why every edit is refused (e.g. "only drafts can be edited"), or None when editable.
        self.frozen: str | None = None
        # Called after each accepted change of the live document (e.g. to recompute totals).
        self.listeners: list[Callable[[Room], None]] = []
        self.locks = RoomLocks(
            lease_seconds=limits.lock_lease_seconds,
            per_owner=limits.locks_per_connection,
            valid_path=shape.valid_path,
            notify=self.notify,
        )
        self.locks.doc_id = doc_id
        # Notices every joiner gets at once (e.g. that storage is down), when they return one.
        self.join_notices: list[Callable[[], dict[str, object] | None]] = []
        # Called when someone appears in or leaves the room's presence (not on cursor moves).
        self.on_presence: list[Callable[[Room], None]] = []
        self._inspector = UpdateInspector(doc, shape)
        self._persister = persister
        self._limits = limits

    # -- membership -----------------------------------------------------------------------

    def join(self, peer: Peer) -> None:
        """Add a peer and send it our state vector (so its offline edits come back to us) and
        everyone's presence."""
        self.peers.add(peer)
        peer.send(encode_sync_step1(self.doc.get_state()))
        present = self.awareness.snapshot()
        if present:
            peer.send(encode_awareness(encode_awareness_update(present)))
        if len(self.locks):
            peer.send(encode_notice(self.locks.notice()))
        for notice in self.join_notices:
            body = notice()
            if body is not None:
                peer.send(encode_notice(body))

    def leave(self, peer: Peer) -> None:
        self.peers.discard(peer)
        if not self.peers:
            self._inspector.reset()  # free the shadow copy while nobody is connected
        self.locks.release_owner(peer)
        removed = self.awareness.remove_owner(peer)
        if removed:
            self.broadcast_awareness(removed, relay=True)
            self.presence_changed()

    def recover(self) -> None:
        """After an unexpected failure on a peer's input: drop the shadow (it may be half
        changed); the next inspection rebuilds it from the live document."""
        self._inspector.reset()

    def set_rights(self, user_id: str, *, can_edit: bool) -> None:
        """Apply a role change to the user's open connections at once."""
        for peer in self.peers:
            if peer.identity.user_id == user_id:
                peer.identity = replace(peer.identity, can_edit=can_edit)
        if not can_edit:
            self.locks.release_user(user_id)

    def disconnect(
        self, predicate: Callable[[Identity], bool], code: CloseCode, reason: str
    ) -> int:
        """Close every connection whose identity matches; return how many."""
        matching = [peer for peer in self.peers if predicate(peer.identity)]
        for peer in matching:
            peer.close(code, reason)
        return len(matching)

    def notify(self, body: dict[str, object]) -> None:
        """Send a Cofacture notice (message type 100) to everyone in the room."""
        frame = encode_notice(body)
        for peer in self.peers:
            peer.send(frame)

    # -- frames ---------------------------------------------------------------------------

    def receive(self, peer: Peer, frame: bytes) -> None:
        """Handle one frame from `peer`; raise a CollabError to close that peer only."""
        message = decode_message(frame)
        if isinstance(message, SyncMessage):
            if message.kind is SyncType.STEP1:
                peer.send(encode_sync_step2(self._diff(message.payload)))
            else:
                self._apply(peer, message.payload)
        elif isinstance(message, AwarenessMessage):
            entries = self.awareness.news(
                peer,
                read_awareness(
                    message.payload, max_entries=self._limits.awareness_entries_per_message
                ),
            )
            if not entries:
                return  # only re-broadcasts of presence the room holds already
            user = peer.identity.presence()
            stamped = []
            for entry in entries:
                # Bounded per client id, so a room's presence (sent whole to every joiner) is
                # bounded by its connections, not by what one client chooses to send.
                size = len(entry.state.encode())
                if size > self._limits.awareness_state_bytes:
                    raise FrameTooLarge(
                        f"presence state of {size} bytes"
                        f" (limit {self._limits.awareness_state_bytes})"
                    )
                stamped.append(stamp_user(checked_state(entry), user))
            present = len(self.awareness)
            result = self.awareness.apply(peer, stamped, identity=peer.identity.user_id)
            if result.forward:
                self.broadcast_awareness(result.forward, relay=True)
                if len(self.awareness) != present:
                    self.presence_changed()
            if result.reply:
                peer.send(encode_awareness(encode_awareness_update(result.reply)))
        elif isinstance(message, QueryAwarenessMessage):
            peer.send(encode_awareness(encode_awareness_update(self.awareness.snapshot())))
        elif isinstance(message, NoticeMessage):
            self.locks.handle(peer, message.body)
        # Auth messages only travel from server to client; one from a client is ignored.

    def _diff(self, state_vector: bytes) -> bytes:
        try:
            return self.doc.get_update(state_vector)
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise
            raise ProtocolError("invalid state vector") from None

    def _apply(self, peer: Peer, update: bytes) -> None:
        if update == _EMPTY_UPDATE:
            return
        if not peer.identity.can_edit:
            peer.send(encode_permission_denied("read-only access: changes are not saved"))
            return
        try:
            inspection = self._inspector.inspect(update)
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise
            # pycrdt may have half-applied it (and a panic may have corrupted the shadow):
            # the next inspection starts from a fresh copy of the live document.
            self._inspector.reset()
            raise InvalidUpdate(f"update cannot be applied: {type(exc).__name__}") from None
        if inspection.pending:
            # Not accepted: the log must only hold what replays (collab/sync/integrity.py).
            # An honest client can get here when its update depends on one still on its way
            # to us; our state vector makes it send, in its step 2, everything we lack.
            self._inspector.reset()
            peer.send(encode_sync_step1(self.doc.get_state()))
            return
        if inspection.damage is not None:
            self._refuse_damage(peer, inspection, inspection.damage)
        reason = (
            inspection.problems[0]
            if inspection.problems
            else self._policy_refusal(peer, inspection)
        )
        if reason is None:
            self.doc.apply_update(update)
            self._inspector.accept()
            self._commit(update, peer.identity.user_id, exclude=peer)
            for listener in self.listeners:
                listener(self)
            return
        try:
            compensation = self._inspector.compensate()
        except Exception:
            log.exception("compensating a refused update failed in %s", self.doc_id)
            self._refuse_damage(peer, inspection, reason)
        # Everyone gets the compensation: the sender to undo its change, the others to keep
        # their state vectors in step. The refused content itself is not in it.
        self.doc.apply_update(compensation)
        self._commit(compensation, None, exclude=None)
        peer.send(encode_notice(_refusal(reason, inspection, resync=False)))

    def apply_remote(self, update: bytes) -> None:
        """Apply an update another process accepted (inspected and logged there) and send it to
        this room's peers. Raises what pycrdt raises for bytes it cannot apply."""
        if update == _EMPTY_UPDATE:
            return
        self._inspector.follow(update)
        self.doc.apply_update(update)
        self.version += 1
        frame = encode_update(update)
        for peer in self.peers:
            peer.send(frame)
        for listener in self.listeners:
            listener(self)

    def apply_server_change(self, update: bytes, *, user_id: str | None) -> None:
        """Apply a change the server itself made (e.g. restoring a version), built by the
        caller against the live document: not inspected, logged (attributed to `user_id`, who
        asked for it) and sent to every peer, like an accepted change."""
        if update == _EMPTY_UPDATE:
            return
        self.doc.apply_update(update)
        self._inspector.reset()  # the shadow rebuilds from the live document when next needed
        self._commit(update, user_id, exclude=None)
        for listener in self.listeners:
            listener(self)

    def _policy_refusal(self, peer: Peer, inspection: Inspection) -> str | None:
        if self.frozen is not None:
            return self.frozen
        lock = self.locks.blocking(peer.identity, inspection.paths())
        if lock is not None:
            return f"{lock.path} is locked by {lock.holder.name}"
        for policy in self.policies:
            reason = policy(peer.identity, inspection)
            if reason is not None:
                return reason
        return None

    def _refuse_damage(self, peer: Peer, inspection: Inspection, reason: str) -> NoReturn:
        self._inspector.reset()
        peer.send(encode_notice(_refusal(reason, inspection, resync=True)))
        raise ResyncRequired(f"update refused: {reason}")

    def _commit(self, update: bytes, user_id: str | None, *, exclude: Peer | None) -> None:
        """Log an update applied to the live document and send it to the other peers."""
        self.seq += 1
        self.version += 1
        self._persister.append(LogEntry(self.doc_id, self.seq, update, user_id, time.time()))
        frame = encode_update(update)
        for other in self.peers:
            if other is not exclude:
                other.send(frame)
        if self.relay is not None:
            self.relay.update(self, update)
        self.unsnapshotted += 1
        if self.unsnapshotted >= self._limits.compact_after_updates:
            self.write_snapshot()

    def present_users(self) -> list[dict[str, str]]:
        """The `user` of each presence state as the server stamped it, once per user."""
        users: dict[str, dict[str, str]] = {}
        for entry in self.awareness.snapshot():
            state = json.loads(entry.state)
            user = state.get("user") if isinstance(state, dict) else None
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                users.setdefault(user["id"], user)
        return list(users.values())

    def broadcast_awareness(self, entries: list[AwarenessEntry], *, relay: bool) -> None:
        """Send presence changes to every peer (the sender too: the stock client counts it as
        liveness), and to the other processes when they are this process's peers'."""
        frame = encode_awareness(encode_awareness_update(entries))
        for peer in self.peers:
            peer.send(frame)
        if relay and self.relay is not None:
            self.relay.awareness(self, entries)

    def presence_changed(self) -> None:
        for listener in self.on_presence:
            listener(self)

    # -- storage --------------------------------------------------------------------------

    def write_snapshot(self) -> None:
        """Queue the document re-encoded as of `seq`; the log before it stops being loaded."""
        self._persister.snapshot(Snapshot(self.doc_id, self.seq, self.doc.get_update()))
        self.unsnapshotted = 0
