"""Brute-force protection: failed attempts per account and per client address.

After `free` failures each further failure blocks the key for a delay that doubles every time
(capped at the lockout); at `lockout` failures the key is blocked for the whole lockout. Failures
are forgotten once a lockout period has passed since the last one, and a success clears the
account's (never the address's) count. A blocked attempt is refused before the password is
looked at, and it is not counted: it cannot extend the block, but it cannot guess either.

An attempt is counted *before* it is evaluated (`reserve`), in one atomic upsert per key
committed at once, and the block it earns is set in the same transaction: parallel attempts see
each other's reservations, so however many arrive at once, no more than the limits allow are
ever evaluated. A success then clears the account and gives the address its attempt back;
an attempt that was neither (a second factor is asked for) gives both back (`release`).

State lives in the database so that several processes share it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
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

    async def reserve(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """Count an attempt against every key before it is evaluated, and commit.

        Raise TooManyAttempts (counting nothing) if any key is blocked now. The session must
        have nothing else pending: this commits.
        """
        now = datetime.now(UTC)
        for key in keys:
            failures = await self._count(db, key.name, now)
            if failures is None:  # blocked: this attempt does not count
                await db.rollback()
                raise TooManyAttempts(await self._wait(db, keys, now))
            blocked = self._blocked_until(now, failures, key.limit)
            if blocked is not None:
                await db.execute(
                    update(AuthThrottle)
                    .where(AuthThrottle.key == key.name)
                    .values(blocked_until=blocked)
                )
        await db.commit()

    async def failed(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """The reserved attempt failed: its delay runs from now, not from the reservation (the
        attempt is counted already; the caller commits)."""
        now = datetime.now(UTC)
        limits = {k.name: k.limit for k in keys}
        rows = await db.execute(
            select(AuthThrottle.key, AuthThrottle.failures).where(AuthThrottle.key.in_(limits))
        )
        for name, failures in rows.all():
            blocked = self._blocked_until(now, int(failures), limits[name])
            if blocked is not None:
                await db.execute(
                    update(AuthThrottle)
                    .where(AuthThrottle.key == name)
                    .values(blocked_until=blocked)
                )

    async def release(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """The reserved attempt was not a failure: give it back (the caller commits)."""
        await self._give_back(db, [k.name for k in keys])

    async def success(self, db: AsyncSession, keys: Sequence[Key]) -> None:
        """The reserved attempt succeeded: forget the account's failures, give the address its
        attempt back (addresses keep their earlier failures; the caller commits)."""
        accounts = [k.name for k in keys if k.name.startswith("account:")]
        if accounts:
            await db.execute(delete(AuthThrottle).where(AuthThrottle.key.in_(accounts)))
        await self._give_back(db, [k.name for k in keys if k.name not in accounts])

    async def _count(self, db: AsyncSession, name: str, now: datetime) -> int | None:
        """Atomically add one failure to `name` (starting afresh when the last one is old);
        None when the key is blocked (nothing is changed then)."""
        postgres = db.get_bind().dialect.name == "postgresql"
        insert: Any = postgresql.insert if postgres else sqlite.insert
        table = AuthThrottle.__table__
        stale = now - self._lockout
        statement = (
            insert(table)
            .values(key=name, failures=1, last_failure_at=now, blocked_until=None)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "failures": case(
                        (table.c.last_failure_at < stale, 1), else_=table.c.failures + 1
                    ),
                    "last_failure_at": now,
                },
                where=(table.c.blocked_until.is_(None)) | (table.c.blocked_until <= now),
            )
            .returning(table.c.failures)
        )
        found = (await db.execute(statement)).first()
        return None if found is None else int(found[0])

    async def _give_back(self, db: AsyncSession, names: list[str]) -> None:
        if names:
            count = AuthThrottle.failures
            await db.execute(
                update(AuthThrottle)
                .where(AuthThrottle.key.in_(names))
                .values(failures=case((count > 0, count - 1), else_=0))
            )

    async def _wait(self, db: AsyncSession, keys: Sequence[Key], now: datetime) -> float:
        rows = await db.scalars(
            select(AuthThrottle.blocked_until).where(AuthThrottle.key.in_([k.name for k in keys]))
        )
        waits = [(b - now).total_seconds() for b in rows if b is not None]
        return max(waits, default=1.0)

    def _blocked_until(self, now: datetime, failures: int, limit: Limit) -> datetime | None:
        if failures >= limit.lockout:
            return now + self._lockout
        if failures > limit.free:
            delay = self._delay * 2 ** (failures - limit.free - 1)
            return now + min(timedelta(seconds=delay), self._lockout)
        return None
