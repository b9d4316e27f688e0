"""Brute-force protection: failed attempts per account and per client address.

After `free` failures each further failure blocks the key for a delay that doubles every time
(capped at the lockout); at `lockout` failures the key is blocked for the whole lockout. Failures
are forgotten once a lockout period has passed since the last one, and a success clears the
account's (never the address's) count. A blocked attempt is refused before the password is
looked at, and it is not counted: it cannot extend the block, but it cannot guess either.

State lives in the database so that several processes share it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import AuthThrottle
from server.core.errors import ApiError


class TooManyAttempts(ApiError):
    status = 429

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"too many failed attempts; try again in {seconds} s")
        self.headers = {"Retry-After": str(seconds)}


@dataclass(frozen=True, slots=True)
class Limit:
    free: int
    lockout: int


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    limit: Limit


class Throttle:
    def __init__(
        self,
        *,
        free_failures: int,
        lockout_failures: int,
        lockout_seconds: float,
        delay_seconds: float,
        ip_factor: int,
    ) -> None:
        self._account = Limit(free_failures, max(lockout_failures, free_failures + 1))
        self._ip = Limit(self._account.free * ip_factor, self._account.lockout * ip_factor)
        self._lockout = timedelta(seconds=lockout_seconds)
        self._delay = delay_seconds

    def keys(self, *, email: str | None, ip: str | None) -> list[Key]:
        """The keys an attempt counts against: the account (by email, known or not) and the IP."""
        keys = []
        if email:
            digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
            keys.append(Key(f"account:{digest}", self._account))
        if ip:
            keys.append(Key(f"ip:{ip}"[:80], self._ip))
        return keys

    async def check(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """Raise TooManyAttempts if any key is blocked now."""
        now = datetime.now(UTC)
        rows = await db.scalars(
            select(AuthThrottle).where(AuthThrottle.key.in_([k.name for k in keys]))
        )
        waits = [
            (_aware(row.blocked_until) - now).total_seconds()
            for row in rows
            if row.blocked_until is not None and _aware(row.blocked_until) > now
        ]
        if waits:
            raise TooManyAttempts(max(waits))

    async def failure(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """Count a failed attempt against every key (the caller commits)."""
        now = datetime.now(UTC)
        for key in keys:
            row = await db.get(AuthThrottle, key.name)
            if row is None:
                row = AuthThrottle(key=key.name, failures=0, last_failure_at=now)
                db.add(row)
            elif now - _aware(row.last_failure_at) > self._lockout:
                row.failures = 0  # the last failure is old: start afresh
            row.failures += 1
            row.last_failure_at = now
            row.blocked_until = self._blocked_until(now, row.failures, key.limit)

    async def success(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """Forget the account's failures (addresses keep theirs; the caller commits)."""
        names = [k.name for k in keys if k.name.startswith("account:")]
        if names:
            await db.execute(delete(AuthThrottle).where(AuthThrottle.key.in_(names)))

    def _blocked_until(self, now: datetime, failures: int, limit: Limit) -> datetime | None:
        if failures >= limit.lockout:
            return now + self._lockout
        if failures > limit.free:
            delay = self._delay * 2 ** (failures - limit.free - 1)
            return now + min(timedelta(seconds=delay), self._lockout)
        return None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
