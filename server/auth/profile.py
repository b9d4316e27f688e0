"""What `GET /api/me` tells the caller about themselves: account, second factor, memberships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import accounts, twofactor
from server.auth.models import Organization
from server.auth.passwords import user
from server.auth.permissions import ROLE_CAPABILITIES, Capability, Role
from server.core.context import AppContext


@dataclass(frozen=True, slots=True)
class Belonging:
    org_id: str
    org_name: str
    role: Role
    capabilities: list[Capability]  # sorted
    totp_required: bool  # the organization's policy suspends it until the user enrols


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    email: str
    name: str
    totp_enabled: bool
    recovery_codes_left: int
    memberships: list[Belonging]


async def profile(ctx: AppContext, user_id: str) -> Profile:
    async with ctx.sessions() as db:
        return await _profile(db, user_id)


async def _profile(db: AsyncSession, user_id: str) -> Profile:
    found = await user(db, user_id)
    members = await accounts.memberships(db, found.id, every=True)
    suspended = await twofactor.suspended_orgs(db, found.id)
    names = {
        o.id: o.name
        for o in await db.scalars(
            select(Organization).where(Organization.id.in_([m.org_id for m in members]))
        )
    }
    return Profile(
        id=found.id,
        email=found.email,
        name=found.name,
        totp_enabled=await twofactor.enabled(db, found.id),
        recovery_codes_left=await twofactor.unused_recovery_codes(db, found.id),
        memberships=[
            Belonging(
                org_id=m.org_id,
                org_name=names.get(m.org_id, ""),
                role=m.role,
                capabilities=sorted(ROLE_CAPABILITIES[m.role], key=lambda c: c.value),
                totp_required=m.org_id in suspended,
            )
            for m in members
        ],
    )
