"""Changing one's password (which ends every session); the rules of a new password."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, sessions, signin
from server.auth.access import Access
from server.auth.models import User
from server.auth.security import hash_password
from server.core.context import AppContext
from server.core.errors import BadRequest, NotFound

MAX_PASSWORD_LENGTH = 1000


async def user(db: AsyncSession, user_id: str) -> User:
    found = await db.get(User, user_id)
    if found is None:
        raise NotFound("no such user")
    return found


def check_new_password(password: str) -> None:
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password must have at least {accounts.MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadRequest(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


async def change_password(
    ctx: AppContext, access: Access, *, user_id: str, current: str, new: str, ip: str | None
) -> None:
    """Check the current password (throttled like a sign-in), set the new one, and end every
    session of the user."""
    async with ctx.sessions() as db:
        check_new_password(new)
        found = await user(db, user_id)
        _, keys = await signin.check_password(
            ctx, access, db, email=found.email, password=current, ip=ip
        )
        await access.throttle.success(db, keys)
        found.password_hash = await hash_password(new)
        ended = await sessions.revoke_all(db, found.id)
        audit.record(db, AuditKind.PASSWORD_CHANGED, actor_id=found.id, ip=ip, target=found.email)
        await db.commit()
    access.live.end_sessions(ended, "password changed; sign in again")
