"""Password hashing (argon2), with the same cost for unknown accounts.

argon2 is deliberately slow (tens of milliseconds of CPU): run on the event loop, sixteen
failed logins at once stalled every request and every live invoice (LESSONS 17). Hashing and
verifying therefore run in worker threads (argon2-cffi releases the GIL), at most one per
core at a time, so a burst of sign-ins queues for the pool instead of for the loop.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from functools import partial

import anyio.to_thread
from anyio import CapacityLimiter
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the email is unknown makes both failures cost the same.
_DUMMY_HASH = _hasher.hash("cofacture-timing-equaliser")
HASHING_THREADS = max(1, os.cpu_count() or 1)

# One limiter per event loop (tests run several loops in one process).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        found = _limiters[loop] = CapacityLimiter(HASHING_THREADS)
    return found


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(partial(_hasher.hash, password), limiter=_limiter())


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, the same work and False."""
    return await anyio.to_thread.run_sync(
        partial(_verify, password_hash, password), limiter=_limiter()
    )
