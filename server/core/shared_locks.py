"""Field locks granted across processes: one Redis hash per document, changed only by Lua
scripts, which Redis runs atomically, so two processes can never grant overlapping locks.

Each field of `locks:{doc}` is a locked path; its value says who holds it (user, connection,
process) and until when, in Redis's own clock (TIME), so the processes' clocks do not matter.
An expired entry is ignored and removed by the next script that meets it, so a lock whose
process died without a word ends with its lease (30 s); the other processes also remove a gone
process's entries at once (`forget_process`).
"""

from __future__ import annotations

import json

from redis.asyncio import Redis

from collab.sync import Identity

# ARGV: path, user id, the holder's JSON without "expires", lease ms. Returns nothing when
# granted (or renewed), else the JSON of the lock in the way and its path.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local path, user = ARGV[1], ARGV[2]
local function overlaps(a, b)
  return a == b or string.sub(a, 1, #b + 1) == b .. '.' or string.sub(b, 1, #a + 1) == a .. '.'
end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local held = cjson.decode(all[i + 1])
  if held.expires <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif held.user ~= user and overlaps(all[i], path) then
    return {all[i], all[i + 1]}
  end
end
local mine = cjson.decode(ARGV[3])
mine.expires = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], path, cjson.encode(mine))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
return false
"""

# ARGV: owner ("" for anyone), then the paths. Releases those the owner holds.
_RELEASE = """
local released = 0
for i = 2, #ARGV do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value and (ARGV[1] == '' or cjson.decode(value).owner == ARGV[1]) then
    redis.call('HDEL', KEYS[1], ARGV[i])
    released = released + 1
  end
end
return released
"""

# ARGV: a process id. Releases every lock its connections held.
_FORGET = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).process == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return true
"""


class SharedLocks:
    """The lock arbiter of every process (collab/sync/room_locks.py, `LockArbiter`)."""

    def __init__(self, client: Redis, *, process_id: str, prefix: str = "cofacture") -> None:
        self._process = process_id
        self._prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._forget = client.register_script(_FORGET)

    def _key(self, doc_id: str) -> str:
        return f"{self._prefix}:locks:{doc_id}"

    def _owner(self, owner: str) -> str:
        return f"{self._process}:{owner}"

    async def acquire(
        self, doc_id: str, path: str, holder: Identity, owner: str, lease: float
    ) -> tuple[str, dict[str, str]] | None:
        value = {
            "user": holder.user_id,
            "name": holder.name,
            "color": holder.color,
            "owner": self._owner(owner),
            "process": self._process,
        }
        args: list[str | int] = [path, holder.user_id, json.dumps(value), int(lease * 1000)]
        found = await self._acquire(keys=[self._key(doc_id)], args=args)
        if not found:
            return None
        held_path, held = found[0], json.loads(found[1])
        held_path = held_path.decode() if isinstance(held_path, bytes) else str(held_path)
        user = {"id": held["user"], "name": held["name"], "color": held["color"]}
        return held_path, user

    async def release(self, doc_id: str, paths: list[str], owner: str | None) -> None:
        who = "" if owner is None else self._owner(owner)
        await self._release(keys=[self._key(doc_id)], args=[who, *paths])

    async def forget_process(self, doc_id: str, process_id: str) -> None:
        await self._forget(keys=[self._key(doc_id)], args=[process_id])
