"""Invitations to an organization: made by its admins, accepted (or declined) by the person.

Nobody becomes a member without consent. Inviting answers the same whether the email has an
account or not, and reveals nothing about it. The person accepts signed in
(`/api/me/invitations`), or with the token: a new person sets a password (which creates the
account), an existing one gives their password (checked and throttled like a sign-in).

An invitation is taken by one conditional DELETE whose row count says who won, so the same
token or invitation accepted twice at once makes one membership and one 400.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.accounts import normalize_email
from server.auth.models import Invitation, Membership, Organization, OrgInvitation, User
from server.auth.permissions import Role
from server.core.errors import BadRequest, Conflict, NotFound

INVALID = "invalid or expired invitation"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expired(invitation: Invitation | OrgInvitation) -> bool:
    return invitation.expires_at <= datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Invited:
    email: str
    role: Role
    token: str
    expires_in: int


async def invite(
    db: AsyncSession,
    *,
    org_id: str,
    email: str,
    role: Role,
    name: str,
    invited_by: str,
    ttl: int,
) -> Invited:
    """A new invitation (replacing a pending one to the same email); the same work and answer
    whether the email has an account or not. Only a current member is a 409: the admin sees
    them in the member list anyway."""
    email = normalize_email(email)
    member = await db.scalar(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == email, Membership.org_id == org_id)
    )
    if member is not None:
        raise Conflict(f"{email} is already a member")
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await db.execute(
        delete(OrgInvitation).where(OrgInvitation.org_id == org_id, OrgInvitation.email == email)
    )
    db.add(
        OrgInvitation(
            id=uuid.uuid4().hex,
            org_id=org_id,
            email=email,
            role=role.value,
            name=name.strip()[:200] or email.split("@")[0],
            token_hash=token_hash(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    try:
        await db.flush()
    except IntegrityError:  # the same email invited at the same moment by another request
        raise Conflict(f"{email} is being invited already; try again") from None
    return Invited(email, role, token, ttl)


@dataclass(frozen=True, slots=True)
class Pending:
    id: str
    org_id: str
    org_name: str
    role: Role
    expires_at: datetime


async def pending_for(db: AsyncSession, email: str) -> list[Pending]:
    """The unexpired invitations addressed to this email."""
    rows = await db.execute(
        select(OrgInvitation, Organization.name)
        .join(Organization, Organization.id == OrgInvitation.org_id)
        .where(OrgInvitation.email == email, OrgInvitation.expires_at > datetime.now(UTC))
        .order_by(OrgInvitation.created_at)
    )
    return [Pending(i.id, i.org_id, name, Role(i.role), i.expires_at) for i, name in rows.all()]


@dataclass(frozen=True, slots=True)
class Outstanding:
    """A pending invitation of an organization, as its admins see it (never its token)."""

    id: str
    email: str
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


async def pending_in(db: AsyncSession, org_id: str) -> list[Outstanding]:
    """The organization's unexpired invitations, oldest first."""
    rows = await db.scalars(
        select(OrgInvitation)
        .where(OrgInvitation.org_id == org_id, OrgInvitation.expires_at > datetime.now(UTC))
        .order_by(OrgInvitation.created_at)
    )
    return [
        Outstanding(i.id, i.email, Role(i.role), i.invited_by, i.created_at, i.expires_at)
        for i in rows
    ]


async def revoke(db: AsyncSession, *, org_id: str, invitation_id: str) -> OrgInvitation:
    """Withdraw a pending invitation of the organization (its token stops working); any other
    id, another organization's included, is the same 404."""
    found = await db.get(OrgInvitation, invitation_id)
    if found is None or found.org_id != org_id:
        raise NotFound("no such invitation")
    await db.delete(found)
    return found


async def by_token(db: AsyncSession, token: str) -> OrgInvitation | None:
    found = await db.scalar(
        select(OrgInvitation).where(OrgInvitation.token_hash == token_hash(token))
    )
    return None if found is None or expired(found) else found


async def by_id(db: AsyncSession, invitation_id: str, *, email: str) -> OrgInvitation:
    """An invitation addressed to `email`; anyone else's is the same 404-like 400."""
    found = await db.get(OrgInvitation, invitation_id)
    if found is None or found.email != email or expired(found):
        raise BadRequest(INVALID)
    return found


async def take(db: AsyncSession, invitation: OrgInvitation) -> None:
    """Use the invitation up; BadRequest if another request took it first (the caller commits)."""
    gone = await db.execute(delete(OrgInvitation).where(OrgInvitation.id == invitation.id))
    if int(getattr(gone, "rowcount", 0)) != 1:
        raise BadRequest(INVALID)


async def join(db: AsyncSession, invitation: OrgInvitation, user_id: str) -> None:
    """Take the invitation and make the user a member with its role (the caller commits)."""
    await take(db, invitation)
    await admit(db, invitation, user_id)


async def admit(db: AsyncSession, invitation: OrgInvitation, user_id: str) -> None:
    """Make the user a member with the role of an invitation already taken."""
    if await db.get(Membership, (user_id, invitation.org_id)) is None:
        db.add(Membership(user_id=user_id, org_id=invitation.org_id, role=invitation.role))
        await db.flush()


async def take_legacy(db: AsyncSession, token: str) -> str | None:
    """A token issued before invitations needed consent: the id of its user, whose first
    password it sets, after using it up; None if there is no such token."""
    found = await db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if found is None or expired(found):
        return None
    gone = await db.execute(delete(Invitation).where(Invitation.token_hash == found.token_hash))
    return found.user_id if int(getattr(gone, "rowcount", 0)) == 1 else None
