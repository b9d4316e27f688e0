"""Invitations: a new member without a password gets a one-time link to set one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Invitation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite(db: AsyncSession, *, user_id: str, ttl: int) -> str:
    """A new invitation token for the user (any older one stops working); stored hashed."""
    token = secrets.token_urlsafe(32)
    await db.execute(delete(Invitation).where(Invitation.user_id == user_id))
    db.add(
        Invitation(
            user_id=user_id,
            token_hash=token_hash(token),
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        )
    )
    return token


def expired(invitation: Invitation) -> bool:
    moment = invitation.expires_at
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment <= datetime.now(UTC)
