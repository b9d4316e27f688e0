"""Sign-in sessions: access tokens name one (`sid`), refresh tokens rotate within it.

A refresh token is opaque, random and stored only as a hash. Each refresh replaces it; showing
an already replaced one again means it was copied, so the whole session is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import AuthSession
from server.core.errors import Unauthorized


@dataclass(frozen=True, slots=True)
class Started:
    session: AuthSession
    refresh_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(db: AsyncSession, *, user_id: str, ip: str | None, ttl: int) -> Started:
    now = datetime.now(UTC)
    refresh = secrets.token_urlsafe(32)
    session = AuthSession(
        id=uuid.uuid4().hex,
        user_id=user_id,
        refresh_hash=_hash(refresh),
        created_at=now,
        refresh_expires_at=now + timedelta(seconds=ttl),
        ip=ip,
    )
    db.add(session)
    await db.flush()
    return Started(session, refresh)


class RefreshReused(Exception):
    """A rotated refresh token came back: the session it belonged to is now revoked."""

    def __init__(self, session: AuthSession) -> None:
        super().__init__("refresh token reused")
        self.session = session


async def rotate(db: AsyncSession, *, refresh_token: str, ttl: int) -> Started:
    """Swap a refresh token for a new one in the same session (the caller commits)."""
    digest = _hash(refresh_token)
    session = await db.scalar(select(AuthSession).where(AuthSession.refresh_hash == digest))
    if session is None:
        await _revoke_reused(db, digest)
        raise Unauthorized("invalid or expired refresh token")
    now = datetime.now(UTC)
    if session.revoked_at is not None or session.refresh_expires_at <= now:
        raise Unauthorized("invalid or expired refresh token")
    refresh = secrets.token_urlsafe(32)
    # Swap only if the token is still the current one: of parallel refreshes with one token,
    # one wins; the others find it replaced (and, as a reuse, end the session).
    swapped = await db.execute(
        update(AuthSession)
        .where(AuthSession.id == session.id, AuthSession.refresh_hash == digest)
        .values(
            previous_refresh_hash=digest,
            refresh_hash=_hash(refresh),
            refresh_expires_at=now + timedelta(seconds=ttl),
        )
        .execution_options(synchronize_session=False)
    )
    if int(getattr(swapped, "rowcount", 0)) != 1:
        await _revoke_reused(db, digest)
        raise Unauthorized("invalid or expired refresh token")
    await db.refresh(session)
    return Started(session, refresh)


async def _revoke_reused(db: AsyncSession, digest: str) -> None:
    reused = await db.scalar(select(AuthSession).where(AuthSession.previous_refresh_hash == digest))
    if reused is not None and reused.revoked_at is None:
        await revoke(db, reused.id)
        await db.refresh(reused)
        raise RefreshReused(reused)


async def is_active(db: AsyncSession, *, session_id: str, user_id: str) -> bool:
    session = await db.get(AuthSession, session_id) if session_id else None
    return session is not None and session.user_id == user_id and session.revoked_at is None


async def revoke(db: AsyncSession, session_id: str) -> None:
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


async def revoke_all(db: AsyncSession, user_id: str) -> list[str]:
    """Revoke every live session of a user; return their ids (to close their sockets)."""
    ids = list(
        await db.scalars(
            select(AuthSession.id).where(
                AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
            )
        )
    )
    if ids:
        await db.execute(
            update(AuthSession).where(AuthSession.id.in_(ids)).values(revoked_at=datetime.now(UTC))
        )
    return ids


async def revoked_since(db: AsyncSession, since: datetime) -> list[str]:
    """Ids of the sessions revoked at or after `since` (their sockets may still be open in a
    process that missed the news: server/auth/live.py)."""
    query = select(AuthSession.id).where(AuthSession.revoked_at >= since)
    return list(await db.scalars(query))
