"""Organization members and roles, managed by admins; every check goes through ROLE_CAPABILITIES."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import twofactor
from server.auth.accounts import Member, membership
from server.auth.models import Membership, OrgSecurity, TotpCredential, User
from server.auth.permissions import Capability, Role
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound


async def require(db: AsyncSession, *, user_id: str, org_id: str, capability: Capability) -> Member:
    """The caller's membership if their role has `capability`.

    Not a member (or no such organization): 404, so other tenants cannot be probed. A member
    whose role lacks the capability: 403.
    """
    member = await membership(db, user_id, org_id)
    if member is None:
        if org_id in await twofactor.suspended_orgs(db, user_id):
            raise Forbidden(twofactor.TOTP_ENROLMENT_REQUIRED)
        raise NotFound("no such organization")
    if not member.can(capability):
        raise Forbidden(member.refusal(capability, f"do this ({capability})"))
    return member


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise BadRequest(f"`role` must be one of {', '.join(r.value for r in Role)}") from None


@dataclass(frozen=True, slots=True)
class Listed:
    user: User
    role: Role
    totp_enabled: bool


async def list_members(db: AsyncSession, org_id: str) -> list[Listed]:
    rows = (
        await db.execute(
            select(User, Membership.role, TotpCredential.confirmed_at)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(TotpCredential, TotpCredential.user_id == User.id)
            .where(Membership.org_id == org_id)
            .order_by(User.email)
        )
    ).all()
    return [Listed(user, Role(role), confirmed is not None) for user, role, confirmed in rows]


async def change_role(db: AsyncSession, *, org_id: str, user_id: str, role: Role) -> Role:
    """Set a member's role; return the previous one. The last admin cannot be demoted."""
    row = await db.get(Membership, (user_id, org_id))
    if row is None:
        raise NotFound("no such member")
    previous = Role(row.role)
    if previous is Role.ADMIN and role is not Role.ADMIN:
        await _keep_an_admin(db, org_id)
    row.role = role.value
    await db.flush()
    return previous


async def remove(db: AsyncSession, *, org_id: str, user_id: str) -> Role:
    row = await db.get(Membership, (user_id, org_id))
    if row is None:
        raise NotFound("no such member")
    previous = Role(row.role)
    if previous is Role.ADMIN:
        await _keep_an_admin(db, org_id)
    await db.execute(
        delete(Membership).where(Membership.user_id == user_id, Membership.org_id == org_id)
    )
    return previous


async def _keep_an_admin(db: AsyncSession, org_id: str) -> None:
    admins = await db.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.org_id == org_id, Membership.role == Role.ADMIN.value)
    )
    if (admins or 0) <= 1:
        raise Conflict("an organization keeps at least one admin")


async def require_totp(db: AsyncSession, org_id: str) -> bool:
    policy = await db.get(OrgSecurity, org_id)
    return bool(policy and policy.require_totp)


async def set_require_totp(db: AsyncSession, org_id: str, value: bool) -> list[str]:
    """Set the policy; return the ids of members it now suspends here (no second factor yet)."""
    policy = await db.get(OrgSecurity, org_id)
    if policy is None:
        policy = OrgSecurity(org_id=org_id, require_totp=value)
        db.add(policy)
    policy.require_totp = value
    await db.flush()
    if not value:
        return []
    return [
        m.user.id
        for m in await list_members(db, org_id)
        if m.role in twofactor.SECOND_FACTOR_ROLES and not m.totp_enabled
    ]
