"""Organizations, users and memberships."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import grants, twofactor
from server.auth.models import Membership, Organization, OrgSecurity, TotpCredential, User
from server.auth.permissions import Capability, Role, can
from server.auth.security import hash_password, verify_password
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound

MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    org_id: str
    role: Role
    # An API token's capabilities when the request is made with one (grants.py); None: the
    # role alone decides.
    token: frozenset[Capability] | None = None

    def can(self, capability: Capability) -> bool:
        """The role's answer, narrowed by the API token the request is made with."""
        return can(self.role, capability) and (self.token is None or capability in self.token)

    def refusal(self, capability: Capability, action: str) -> str:
        """Why `can(capability)` is False, in words."""
        if can(self.role, capability):
            return f"this API token's scopes do not allow this ({capability})"
        return f"a {self.role} cannot {action}"


def _narrowed(members: list[Member], user_id: str) -> list[Member]:
    """`user_id`'s memberships as an API token of theirs sees them: its organization only."""
    grant = grants.narrowing(user_id)
    if grant is None:
        return members
    return [
        Member(m.user, m.org_id, m.role, grant.capabilities)
        for m in members
        if m.org_id == grant.org_id
    ]


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise BadRequest(f"not an email address: {email!r}")
    return email


async def create_org(db: AsyncSession, *, name: str) -> Organization:
    name = name.strip()
    if not name or len(name) > 200:
        raise BadRequest("organization name must be 1 to 200 characters")
    org = Organization(id=str(uuid.uuid4()), name=name, created_at=datetime.now(UTC))
    db.add(org)
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict(f"organization {name!r} already exists") from None
    return org


async def find_org(db: AsyncSession, key: str) -> Organization:
    """An organization by id or by name."""
    org = await db.get(Organization, key)
    if org is None:
        org = await db.scalar(select(Organization).where(Organization.name == key))
    if org is None:
        raise NotFound(f"no organization {key!r}")
    return org


async def create_user(
    db: AsyncSession, *, org: Organization, email: str, password: str, role: Role, name: str = ""
) -> User:
    """Create a user (or add an existing one) as a member of `org` with `role`."""
    email = normalize_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = await db.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            id=str(uuid.uuid4()),
            email=email,
            name=name.strip() or email.split("@")[0],
            password_hash=await hash_password(password),
            created_at=datetime.now(UTC),
        )
        db.add(user)
        await db.flush()
    elif not await verify_password(user.password_hash, password):
        raise Conflict(f"{email} already exists with another password")
    if await db.get(Membership, (user.id, org.id)) is not None:
        raise Conflict(f"{email} is already a member of {org.name}")
    db.add(Membership(user_id=user.id, org_id=org.id, role=role.value))
    await db.flush()
    return user


async def authenticate(db: AsyncSession, *, email: str, password: str) -> User | None:
    """The user if the credentials are right; the same work is done for an unknown email."""
    user = await db.scalar(select(User).where(User.email == email.strip().lower()))
    # End the read transaction: the connection goes back to the pool during the slow
    # verification, so a burst of sign-ins cannot hold every connection (nothing is pending).
    await db.commit()
    ok = await verify_password(user.password_hash if user else None, password)
    return user if ok else None


async def memberships(db: AsyncSession, user_id: str, *, every: bool = False) -> list[Member]:
    """The user's memberships, without those an organization's two-factor policy suspends
    (`every=True`: all of them, as the user's own profile shows them)."""
    rows = (
        await db.execute(select(User, Membership).join(Membership).where(User.id == user_id))
    ).all()
    found = _narrowed([Member(user, m.org_id, Role(m.role)) for user, m in rows], user_id)
    if every:
        return found
    suspended = await twofactor.suspended_orgs(db, user_id)
    return [m for m in found if m.org_id not in suspended]


async def membership(db: AsyncSession, user_id: str, org_id: str) -> Member | None:
    """The user's membership of `org_id`; None if there is none, or if the organization's
    two-factor policy suspends it (its resources then look like another tenant's)."""
    # One query, the organization's policy and the user's second factor joined in: every
    # request and WebSocket admission goes through here (three queries took 1.5 ms more).
    row = (
        await db.execute(
            select(User, Membership.role, OrgSecurity.require_totp, TotpCredential.confirmed_at)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(OrgSecurity, OrgSecurity.org_id == Membership.org_id)
            .outerjoin(TotpCredential, TotpCredential.user_id == User.id)
            .where(User.id == user_id, Membership.org_id == org_id)
        )
    ).first()
    if row is None:
        return None
    user, role, require_totp, confirmed_at = row
    if twofactor.suspends(Role(role), bool(require_totp), enabled=confirmed_at is not None):
        return None
    found = _narrowed([Member(user, org_id, Role(role))], user_id)
    return found[0] if found else None


async def acting_member(
    db: AsyncSession, user_id: str, org_id: str | None, capability: Capability, action: str
) -> Member:
    """The caller's membership in the organization the request is about (its only one when
    `org_id` is not given), checked for `capability`; 403 `totp_enrollment_required` when the
    organization demands a second factor the caller has not set up."""
    members = await memberships(db, user_id, every=True)
    if org_id is None:
        if len(members) != 1:
            raise BadRequest("you belong to several organizations: give `org`")
        member = members[0]
    else:
        found = [m for m in members if m.org_id == org_id]
        if not found:
            raise NotFound("no such organization")
        member = found[0]
    if member.org_id in await twofactor.suspended_orgs(db, user_id):
        raise Forbidden(twofactor.TOTP_ENROLMENT_REQUIRED)
    if not member.can(capability):
        raise Forbidden(member.refusal(capability, action))
    return member


async def member_ids(db: AsyncSession, org_id: str) -> list[str]:
    """The ids of the organization's current members."""
    return list(await db.scalars(select(Membership.user_id).where(Membership.org_id == org_id)))


async def org_users(db: AsyncSession, org_id: str) -> list[User]:
    """The people of an organization, by name then e-mail."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org_id)
        .order_by(User.name, User.email)
    )
    return list(await db.scalars(query))


async def users_by_id(db: AsyncSession, user_ids: Iterable[str]) -> dict[str, User]:
    wanted = list(set(user_ids))
    if not wanted:
        return {}
    return {u.id: u for u in await db.scalars(select(User).where(User.id.in_(wanted)))}
