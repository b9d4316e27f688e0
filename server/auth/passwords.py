"""Setting a password: changing one's own (which ends every session), or a first one with an
invitation."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, invitations, sessions, signin
from server.auth.access import Access
from server.auth.models import Invitation, User
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
        found = await user(db, user_id)
        await signin.check_password(ctx, access, db, email=found.email, password=current, ip=ip)
        check_new_password(new)
        found.password_hash = hash_password(new)
        ended = await sessions.revoke_all(db, found.id)
        audit.record(db, AuditKind.PASSWORD_CHANGED, actor_id=found.id, ip=ip, target=found.email)
        await db.commit()
    access.live.end_sessions(ended, "password changed; sign in again")


async def accept_invitation(ctx: AppContext, *, token: str, password: str) -> None:
    """Set the invited user's first password; the invitation is then used up."""
    check_new_password(password)
    async with ctx.sessions() as db:
        invitation = await db.scalar(
            select(Invitation).where(Invitation.token_hash == invitations.token_hash(token))
        )
        if invitation is None or invitations.expired(invitation):
            raise BadRequest("invalid or expired invitation")
        found = await user(db, invitation.user_id)
        found.password_hash = hash_password(password)
        await db.execute(delete(Invitation).where(Invitation.user_id == found.id))
        await db.commit()
