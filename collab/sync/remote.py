"""What other processes' connections hold in a room here (collab/sync/cluster.py): the owner of
their presence and locks, and the lock lists processes send each other.

Each process publishes the whole list of locks its own connections hold whenever it changes;
the others mirror it in the room's lock table, owned by the sending process, so that their
clients' edits on a field locked elsewhere are refused. Granting stays with the arbiter (a
Redis hash changed by Lua scripts: server/core/shared_locks.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Protocol

from collab.sync.locks import Lock
from collab.sync.peer import Identity
from collab.sync.room import Room
from collab.sync.room_locks import LockArbiter

log = logging.getLogger(__name__)

# Locks one message may list: a process's connections hold a few each.
_MAX_LOCKS = 10_000
_USER = ("id", "name", "color")


@dataclass(frozen=True, slots=True)
class RemoteProcess:
    """The owner of presence (and locks) another process's connections hold here."""

    process_id: str


class ClusterLocks(LockArbiter, Protocol):
    async def forget_process(self, doc_id: str, process_id: str) -> None:
        """Release every lock a gone process's connections held on `doc_id`."""
        ...


def holds_own_locks(room: Room) -> bool:
    """Whether this process's connections hold a lock in `room`."""
    now = asyncio.get_running_loop().time()
    return any(not isinstance(lock.owner, RemoteProcess) for lock in room.locks.table.holders(now))


def own_locks(room: Room) -> bytes:
    """The list of the locks this process's connections hold in `room`, for the others."""
    now = asyncio.get_running_loop().time()
    mine = [
        {
            "path": lock.path,
            "user": lock.holder.presence(),
            "expires_in": round(lock.expires_at - now, 3),
        }
        for lock in room.locks.table.holders(now)
        if not isinstance(lock.owner, RemoteProcess)
    ]
    return json.dumps(mine, separators=(",", ":")).encode()


def mirror_locks(room: Room, origin: str, body: bytes) -> None:
    """Replace what `room` mirrors of process `origin`'s locks with the list it sent; raises
    ValueError (or what json raises) for a malformed list, leaving the mirror as it was."""
    listed = json.loads(body)
    if not isinstance(listed, list) or len(listed) > _MAX_LOCKS:
        raise ValueError("a lock list")
    now = asyncio.get_running_loop().time()
    owner = RemoteProcess(origin)
    locks = []
    for item in listed:
        if not isinstance(item, dict):
            raise ValueError("a lock")
        path, user = item.get("path"), item.get("user")
        expires_in = item.get("expires_in")
        if not (isinstance(path, str) and room.shape.valid_path(path)):
            raise ValueError("a lock path")
        if not (isinstance(user, dict) and all(isinstance(user.get(k), str) for k in _USER)):
            raise ValueError("a lock holder")
        if not isinstance(expires_in, int | float) or not 0 < expires_in <= room.locks.lease:
            raise ValueError("a lock lease")
        holder = Identity(user["id"], user["name"], can_edit=True, color=user["color"])
        locks.append(Lock(path, holder, owner, now + expires_in))
    room.locks.table.replace_owned(owner, locks)
    room.locks.changed(shared=False)


async def forget_process(locks: ClusterLocks, room: Room, owner: RemoteProcess) -> None:
    """Release a gone process's locks at the arbiter first, then here: a client told they are
    free and asking at once must be granted (the other order refused it)."""
    try:
        await locks.forget_process(room.doc_id, owner.process_id)
    except Exception as exc:  # their leases end them anyway
        log.warning("releasing the locks of gone process %s failed: %r", owner.process_id, exc)
    room.locks.release_owner(owner)
