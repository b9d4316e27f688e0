"""Joining an organization by accepting an invitation: signed in, or with the invitation token.

A new person sets a password with the token, which creates their account; a person who has an
account proves it with their password (throttled like a sign-in), or accepts signed in. Either
way nobody becomes a member without their consent.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import invitations, signin
from server.auth.access import Access, Principal
from server.auth.invitations import Pending
from server.auth.models import OrgInvitation, User
from server.auth.passwords import check_new_password, user
from server.auth.security import hash_password
from server.core.context import AppContext
from server.core.errors import BadRequest, Conflict


async def accept_with_token(
    ctx: AppContext, access: Access, *, token: str, password: str, ip: str | None
) -> None:
    """Accept an invitation with its token: a new person's password creates their account;
    an existing account's password must be right. The invitation is then used up."""
    async with ctx.sessions() as db:
        invitation = await invitations.by_token(db, token)
        if invitation is None:
            await _legacy(db, token, password)
            return
        existing = await db.scalar(select(User).where(User.email == invitation.email))
        if existing is None:
            check_new_password(password)
            joined = User(
                id=str(uuid.uuid4()),
                email=invitation.email,
                name=invitation.name,
                password_hash=await hash_password(password),
                created_at=datetime.now(UTC),
            )
            await invitations.take(db, invitation)
            db.add(joined)
            try:
                await db.flush()
            except IntegrityError:  # another invitation created the account meanwhile
                raise Conflict("this account was just created: sign in to accept") from None
            await invitations.admit(db, invitation, joined.id)
        else:
            joined, keys = await signin.check_password(
                ctx, access, db, email=invitation.email, password=password, ip=ip
            )
            await access.throttle.success(db, keys)
            await invitations.join(db, invitation, joined.id)
        _joined(db, invitation, joined.id, ip)
        await db.commit()


async def _legacy(db: AsyncSession, token: str, password: str) -> None:
    """A token from before consent (a user created without a password): set the password."""
    check_new_password(password)
    password_hash = await hash_password(password)
    user_id = await invitations.take_legacy(db, token)
    if user_id is None:
        raise BadRequest(invitations.INVALID)
    (await user(db, user_id)).password_hash = password_hash
    await db.commit()


async def mine(ctx: AppContext, caller: Principal) -> list[Pending]:
    """The caller's pending invitations."""
    async with ctx.sessions() as db:
        found = await user(db, caller.user_id)
        return await invitations.pending_for(db, found.email)


async def answer(
    ctx: AppContext, caller: Principal, invitation_id: str, *, accept: bool, ip: str | None
) -> None:
    """Accept or decline one of the caller's invitations (someone else's: 400, as unknown)."""
    async with ctx.sessions() as db:
        found = await user(db, caller.user_id)
        invitation = await invitations.by_id(db, invitation_id, email=found.email)
        if accept:
            await invitations.join(db, invitation, found.id)
            _joined(db, invitation, found.id, ip)
        else:
            await invitations.take(db, invitation)
            audit.record(
                db,
                AuditKind.INVITATION_DECLINED,
                actor_id=found.id,
                ip=ip,
                org_id=invitation.org_id,
                target=found.id,
            )
        await db.commit()


def _joined(db: AsyncSession, invitation: OrgInvitation, user_id: str, ip: str | None) -> None:
    audit.record(
        db,
        AuditKind.MEMBER_ADDED,
        actor_id=user_id,
        ip=ip,
        org_id=invitation.org_id,
        target=user_id,
        detail=f"accepted an invitation as {invitation.role}",
    )
