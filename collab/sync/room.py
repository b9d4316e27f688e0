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
from typing import Any, NoReturn

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
from collab.sync.locks import Lock, LockTable, Outcome
from collab.sync.peer import Identity, Peer
from collab.sync.persister import Persister
from collab.sync.protocol import (
    AwarenessEntry,
    AwarenessMessage,
    NoticeMessage,
    QueryAwarenessMessage,
    SyncMessage,
    SyncType,
    decode_awareness,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_notice,
    encode_permission_denied,
    encode_sync_step1,
    encode_sync_step2,
    encode_update,
)
from collab.sync.store import LogEntry, Snapshot

log = logging.getLogger(__name__)

# What a Yjs encoder writes for an update with no structs and no deletions.
_EMPTY_UPDATE = b"\x00\x00"


def _now() -> float:
    return asyncio.get_running_loop().time()


def _lock_refused(path: str, reason: str, held_by: dict[str, str] | None) -> dict[str, object]:
    return {"type": "lock_refused", "path": path, "reason": reason, "held_by": held_by}


def _refusal(reason: str, inspection: Inspection, *, resync: bool) -> dict[str, object]:
    return {
        "type": "update_refused",
        "reason": reason,
        "paths": sorted(inspection.paths()),
        "resync": resync,
    }


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
        self.unload_task: asyncio.Task[None] | None = None
        self.policies: list[Policy] = []
        # Why every edit is refused (e.g. "only drafts can be edited"), or None when editable.
        self.frozen: str | None = None
        # Called after each accepted change of the live document (e.g. to recompute totals).
        self.listeners: list[Callable[[Room], None]] = []
        self.locks = LockTable(
            lease_seconds=limits.lock_lease_seconds, per_owner=limits.locks_per_connection
        )
        # Notices every joiner gets at once (e.g. that storage is down), when they return one.
        self.join_notices: list[Callable[[], dict[str, object] | None]] = []
        # Called when an admin breaks someone's lock (the server records it).
        self.on_lock_broken: list[Callable[[Identity, Lock], None]] = []
        # Called when someone appears in or leaves the room's presence (not on cursor moves).
        self.on_presence: list[Callable[[Room], None]] = []
        self._lock_timer: asyncio.TimerHandle | None = None
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
            peer.send(encode_notice(self._locks_notice()))
        for notice in self.join_notices:
            body = notice()
            if body is not None:
                peer.send(encode_notice(body))

    def leave(self, peer: Peer) -> None:
        self.peers.discard(peer)
        if not self.peers:
            self._inspector.reset()  # free the shadow copy while nobody is connected
        if self.locks.release_owner(peer):
            self._locks_changed()
        removed = self.awareness.remove_owner(peer)
        if removed:
            self._broadcast_awareness(removed)
            self._presence_changed()

    def recover(self) -> None:
        """After an unexpected failure on a peer's input: drop the shadow (it may be half
        changed); the next inspection rebuilds it from the live document."""
        self._inspector.reset()

    def set_rights(self, user_id: str, *, can_edit: bool) -> None:
        """Apply a role change to the user's open connections at once."""
        for peer in self.peers:
            if peer.identity.user_id == user_id:
                peer.identity = replace(peer.identity, can_edit=can_edit)
        if not can_edit and self.locks.release_user(user_id):
            self._locks_changed()  # a reader cannot keep others out of a field

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
            entries = decode_awareness(
                message.payload, max_entries=self._limits.awareness_entries_per_message
            )
            user = peer.identity.presence()
            for entry in entries:
                # Bounded per client id, so a room's presence (sent whole to every joiner) is
                # bounded by its connections, not by what one client chooses to send.
                size = len(entry.state.encode())
                if size > self._limits.awareness_state_bytes:
                    raise FrameTooLarge(
                        f"presence state of {size} bytes"
                        f" (limit {self._limits.awareness_state_bytes})"
                    )
            present = len(self.awareness)
            result = self.awareness.apply(
                peer, [stamp_user(e, user) for e in entries], identity=peer.identity.user_id
            )
            if result.forward:
                self._broadcast_awareness(result.forward)
                if len(self.awareness) != present:
                    self._presence_changed()
            if result.reply:
                peer.send(encode_awareness(encode_awareness_update(result.reply)))
        elif isinstance(message, QueryAwarenessMessage):
            peer.send(encode_awareness(encode_awareness_update(self.awareness.snapshot())))
        elif isinstance(message, NoticeMessage):
            self._notice(peer, message.body)
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
        if len(self.locks):
            lock = self.locks.blocking(peer.identity, inspection.paths(), _now())
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
        self._persister.append(LogEntry(self.doc_id, self.seq, update, user_id, time.time()))
        frame = encode_update(update)
        for other in self.peers:
            if other is not exclude:
                other.send(frame)
        self.unsnapshotted += 1
        if self.unsnapshotted >= self._limits.compact_after_updates:
            self.write_snapshot()

    # -- locks ----------------------------------------------------------------------------

    def _notice(self, peer: Peer, body: dict[str, object]) -> None:
        kind, path = body.get("type"), body.get("path")
        if kind not in ("lock", "unlock", "break_lock"):
            return  # notices this server does not handle are ignored, as stock clients do
        if not isinstance(path, str) or not self.shape.valid_path(path):
            peer.send(encode_notice(_lock_refused(str(path), "not a field or line path", None)))
            return
        if kind == "lock":
            self._lock(peer, path)
        elif kind == "unlock":
            if self.locks.release(path, peer.identity):
                self._locks_changed()
        elif not peer.identity.can_break_locks:
            peer.send(encode_notice(_lock_refused(path, "only an admin can break a lock", None)))
        else:
            broken = self.locks.remove(path)
            if broken is not None:
                for listener in self.on_lock_broken:
                    listener(peer.identity, broken)
                self._locks_changed()

    def _lock(self, peer: Peer, path: str) -> None:
        if not peer.identity.can_edit:
            peer.send(encode_notice(_lock_refused(path, "read-only access", None)))
            return
        attempt = self.locks.acquire(path, peer.identity, peer, _now())
        if attempt.outcome is Outcome.REFUSED:
            holder = attempt.lock.holder
            reason = f"{attempt.lock.path} is locked by {holder.name}"
            peer.send(encode_notice(_lock_refused(path, reason, holder.presence())))
            return
        self._locks_changed()

    def _locks_notice(self) -> dict[str, object]:
        return {"type": "locks", "locks": self.locks.snapshot(_now())}

    def _locks_changed(self) -> None:
        """Tell everyone the new lock table and re-arm the expiry timer."""
        self.notify(self._locks_notice())
        if self._lock_timer is not None:
            self._lock_timer.cancel()
            self._lock_timer = None
        expiry = self.locks.next_expiry()
        if expiry is not None:
            self._lock_timer = asyncio.get_running_loop().call_at(expiry, self._expire_locks)

    def _expire_locks(self) -> None:
        self._lock_timer = None
        if self.locks.expire(_now()):
            self._locks_changed()
        elif (expiry := self.locks.next_expiry()) is not None:
            self._lock_timer = asyncio.get_running_loop().call_at(expiry, self._expire_locks)

    def _presence_changed(self) -> None:
        for listener in self.on_presence:
            listener(self)

    def present_users(self) -> list[dict[str, str]]:
        """The `user` of each presence state as the server stamped it, once per user."""
        users: dict[str, dict[str, str]] = {}
        for entry in self.awareness.snapshot():
            state = json.loads(entry.state)
            user = state.get("user") if isinstance(state, dict) else None
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                users.setdefault(user["id"], user)
        return list(users.values())

    def _broadcast_awareness(self, entries: list[AwarenessEntry]) -> None:
        # Sent back to the sender too: the stock client counts it as liveness.
        frame = encode_awareness(encode_awareness_update(entries))
        for peer in self.peers:
            peer.send(frame)

    # -- storage --------------------------------------------------------------------------

    def write_snapshot(self) -> None:
        """Queue the document re-encoded as of `seq`; the log before it stops being loaded."""
        self._persister.snapshot(Snapshot(self.doc_id, self.seq, self.doc.get_update()))
        self.unsnapshotted = 0
