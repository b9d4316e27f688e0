"""A room's field locks: the lock, unlock and break notices of its peers, the lease table, its
expiry, and telling everyone the table whenever it changes.

With several processes (collab/sync/cluster.py) a lock is granted by an arbiter every process
asks (`LockArbiter`, on Redis: server/core/shared_locks.py), so two processes cannot grant
overlapping locks; the table here also mirrors the other processes' locks, so edits here are
refused on a field locked there. Should the arbiter fail (Redis down), this process decides
alone, as a single process does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Hashable, Iterable
from typing import Any, Protocol

from collab.sync.locks import Lock, LockTable, Outcome
from collab.sync.peer import Identity, Peer, PeerState
from collab.sync.protocol import encode_notice

log = logging.getLogger(__name__)


def _now() -> float:
    return asyncio.get_running_loop().time()


def lock_refused(path: str, reason: str, held_by: dict[str, str] | None) -> dict[str, object]:
    return {"type": "lock_refused", "path": path, "reason": reason, "held_by": held_by}


class LockArbiter(Protocol):
    async def acquire(
        self, doc_id: str, path: str, holder: Identity, owner: str, lease: float
    ) -> tuple[str, dict[str, str]] | None:
        """Take or renew `path` for `owner` (a connection of this process); None when granted,
        else the path and `user` of the lock in the way."""
        ...

    async def release(self, doc_id: str, paths: list[str], owner: str | None) -> None:
        """Release `paths` if `owner` holds them (None: whoever does, an admin's break)."""
        ...


def owner_key(peer: Peer) -> str:
    return f"{id(peer):x}"


class RoomLocks:
    def __init__(
        self,
        *,
        lease_seconds: float,
        per_owner: int,
        valid_path: Callable[[str], bool],
        notify: Callable[[dict[str, object]], None],
    ) -> None:
        self.table = LockTable(lease_seconds=lease_seconds, per_owner=per_owner)
        self.lease = lease_seconds
        self._valid_path = valid_path
        self._notify = notify  # to everyone in the room
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.doc_id = ""
        self.arbiter: LockArbiter | None = None  # set when several processes hold the room
        # Called when an admin breaks someone's lock (the server records it).
        self.on_broken: list[Callable[[Identity, Lock], None]] = []
        # Called after every change of this process's own locks (the cluster shares them).
        self.on_changed: list[Callable[[], None]] = []

    def __len__(self) -> int:
        return len(self.table)

    def notice(self) -> dict[str, object]:
        return {"type": "locks", "locks": self.table.snapshot(_now())}

    def blocking(self, who: Identity, paths: Iterable[str]) -> Lock | None:
        return self.table.blocking(who, paths, _now()) if len(self.table) else None

    def handle(self, peer: Peer, body: dict[str, object]) -> None:
        """A lock, unlock or break_lock notice from `peer`; other notices are ignored, as stock
        clients do."""
        kind, path = body.get("type"), body.get("path")
        if kind not in ("lock", "unlock", "break_lock"):
            return
        if not isinstance(path, str) or not self._valid_path(path):
            peer.send(encode_notice(lock_refused(str(path), "not a field or line path", None)))
            return
        if kind == "lock":
            self._lock(peer, path)
        elif kind == "unlock":
            if self.table.release(path, peer.identity):
                self._arbitrate_release([path], owner_key(peer))
                self.changed()
        elif not peer.identity.can_break_locks:
            peer.send(encode_notice(lock_refused(path, "only an admin can break a lock", None)))
        else:
            broken = self.table.remove(path)
            self._arbitrate_release([path], None)  # wherever it is held
            if broken is not None:
                for listener in self.on_broken:
                    listener(peer.identity, broken)
                self.changed()

    def release_owner(self, owner: Hashable) -> None:
        paths = [lock.path for lock in self.table.owned_by(owner)]
        if self.table.release_owner(owner):
            if isinstance(owner, Peer):
                self._arbitrate_release(paths, owner_key(owner))
            self.changed(shared=isinstance(owner, Peer))

    def release_user(self, user_id: str) -> None:
        """A user lost edit rights: a reader cannot keep others out of a field."""
        held = [lock for lock in self.table.holders(_now()) if lock.holder.user_id == user_id]
        if self.table.release_user(user_id):
            for lock in held:
                if isinstance(lock.owner, Peer):
                    self._arbitrate_release([lock.path], owner_key(lock.owner))
            self.changed()

    def _lock(self, peer: Peer, path: str) -> None:
        if not peer.identity.can_edit:
            peer.send(encode_notice(lock_refused(path, "read-only access", None)))
            return
        in_the_way = self.table.blocking(peer.identity, (path,), _now())
        if in_the_way is not None:
            self._refuse(peer, path, in_the_way.path, in_the_way.holder.presence())
        elif self.arbiter is None:
            self._grant(peer, path)
        else:
            self._spawn(self._arbitrated(peer, path, self.arbiter))

    async def _arbitrated(self, peer: Peer, path: str, arbiter: LockArbiter) -> None:
        owner = owner_key(peer)
        try:
            verdict = await arbiter.acquire(self.doc_id, path, peer.identity, owner, self.lease)
        except Exception as exc:  # the arbiter is unreachable: decide here, as one process
            log.warning("lock arbiter unavailable (%r): deciding %s alone", exc, path)
            verdict = None
        if peer.state is not PeerState.OPEN:
            await self._release_quietly(arbiter, [path], owner)
        elif verdict is not None:
            self._refuse(peer, path, *verdict)
        elif not self._grant(peer, path):
            await self._release_quietly(arbiter, [path], owner)

    def _grant(self, peer: Peer, path: str) -> bool:
        before = {lock.path for lock in self.table.owned_by(peer)}
        attempt = self.table.acquire(path, peer.identity, peer, _now())
        if attempt.outcome is Outcome.REFUSED:
            self._refuse(peer, path, attempt.lock.path, attempt.lock.holder.presence())
            return False
        # Moving to another field may have let the connection's oldest lock go.
        gone = before - {lock.path for lock in self.table.owned_by(peer)}
        self._arbitrate_release(sorted(gone), owner_key(peer))
        self.changed()
        return True

    @staticmethod
    def _refuse(peer: Peer, path: str, held: str, holder: dict[str, str]) -> None:
        reason = f"{held} is locked by {holder.get('name', 'someone')}"
        peer.send(encode_notice(lock_refused(path, reason, holder)))

    def _arbitrate_release(self, paths: list[str], owner: str | None) -> None:
        if self.arbiter is not None and paths:
            self._spawn(self._release_quietly(self.arbiter, paths, owner))

    async def _release_quietly(
        self, arbiter: LockArbiter, paths: list[str], owner: str | None
    ) -> None:
        try:
            await arbiter.release(self.doc_id, paths, owner)
        except Exception as exc:  # its lease ends it anyway
            log.warning("releasing %s at the lock arbiter failed: %r", paths, exc)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def changed(self, *, shared: bool = True) -> None:
        """Tell everyone the new table and re-arm the expiry timer; `shared` when the change is
        this process's own (the other processes are told too)."""
        self._notify(self.notice())
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        expiry = self.table.next_expiry()
        if expiry is not None:
            self._timer = asyncio.get_running_loop().call_at(expiry, self._expire)
        if shared:
            for listener in self.on_changed:
                listener()

    def _expire(self) -> None:
        self._timer = None
        if self.table.expire(_now()):
            self.changed()
        elif (expiry := self.table.next_expiry()) is not None:
            self._timer = asyncio.get_running_loop().call_at(expiry, self._expire)
