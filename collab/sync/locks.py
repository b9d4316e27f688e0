"""Per-field locks: leases on field paths, held by users, owned by connections.

A lock on a path covers everything below it (`lines.l1` covers `lines.l1.unit_price`), and is in
the way of anything above it (a lock on `lines.l1.unit_price` blocks deleting line `l1`). The
holder is a user, so the same person's other tabs are not blocked; the lock belongs to the
connection that took it and goes with it. Lock state never enters the document.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

from collab.sync.peer import Identity


@dataclass(frozen=True, slots=True)
class Lock:
    path: str
    holder: Identity
    owner: Hashable  # the connection that took it
    expires_at: float  # event-loop time


class Outcome(Enum):
    GRANTED = "granted"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    lock: Lock  # the lock granted, or the one in the way


def overlaps(a: str, b: str) -> bool:
    """Equal paths, or one below the other at a `.` boundary."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


class LockTable:
    def __init__(self, *, lease_seconds: float, per_owner: int) -> None:
        self._locks: dict[str, Lock] = {}
        self._lease = lease_seconds
        self._per_owner = per_owner

    def __len__(self) -> int:
        return len(self._locks)

    def acquire(self, path: str, holder: Identity, owner: Hashable, now: float) -> Attempt:
        """Take or renew a lock; refused when another user's lock overlaps the path."""
        self.expire(now)
        in_the_way = self.blocking(holder, (path,), now)
        if in_the_way is not None:
            return Attempt(Outcome.REFUSED, in_the_way)
        mine = [lock for lock in self._locks.values() if lock.owner == owner]
        if path not in self._locks and len(mine) >= self._per_owner:
            # Moving to another field: the oldest lock of this connection gives way.
            del self._locks[min(mine, key=lambda lock: lock.expires_at).path]
        lock = Lock(path, holder, owner, now + self._lease)
        self._locks[path] = lock
        return Attempt(Outcome.GRANTED, lock)

    def release(self, path: str, holder: Identity) -> bool:
        lock = self._locks.get(path)
        if lock is None or lock.holder.user_id != holder.user_id:
            return False
        del self._locks[path]
        return True

    def release_owner(self, owner: Hashable) -> bool:
        gone = [path for path, lock in self._locks.items() if lock.owner == owner]
        for path in gone:
            del self._locks[path]
        return bool(gone)

    def release_user(self, user_id: str) -> bool:
        """A user lost edit rights: their locks go, from every connection."""
        gone = [path for path, lock in self._locks.items() if lock.holder.user_id == user_id]
        for path in gone:
            del self._locks[path]
        return bool(gone)

    def owned_by(self, owner: Hashable) -> list[Lock]:
        return [lock for lock in self._locks.values() if lock.owner == owner]

    def replace_owned(self, owner: Hashable, locks: Iterable[Lock]) -> None:
        """Make `owner`'s locks exactly `locks` (another process's, as it says they are)."""
        for path in [p for p, lock in self._locks.items() if lock.owner == owner]:
            del self._locks[path]
        for lock in locks:
            # A path held here too can only come from a partition both sides granted during:
            # this process's holder keeps it, and Redis settles it at the next renewal.
            self._locks.setdefault(lock.path, lock)

    def remove(self, path: str) -> Lock | None:
        """An admin breaking a lock: remove it whoever holds it."""
        return self._locks.pop(path, None)

    def expire(self, now: float) -> bool:
        gone = [path for path, lock in self._locks.items() if lock.expires_at <= now]
        for path in gone:
            del self._locks[path]
        return bool(gone)

    def next_expiry(self) -> float | None:
        return min((lock.expires_at for lock in self._locks.values()), default=None)

    def blocking(self, who: Identity, paths: Iterable[str], now: float) -> Lock | None:
        """A live lock of another user overlapping any of `paths`, if there is one."""
        for lock in self._locks.values():
            if lock.holder.user_id == who.user_id or lock.expires_at <= now:
                continue
            if any(overlaps(lock.path, path) for path in paths):
                return lock
        return None

    def holders(self, now: float) -> list[Lock]:
        """The live locks, by path."""
        live = (lock for lock in self._locks.values() if lock.expires_at > now)
        return sorted(live, key=lambda lock: lock.path)

    def snapshot(self, now: float) -> list[dict[str, object]]:
        return [
            {
                "path": lock.path,
                "user": lock.holder.presence(),
                "expires_in": round(lock.expires_at - now, 1),
            }
            for lock in self.holders(now)
        ]
