"""Two-factor authentication: enrolment, confirmation, verification, disabling, policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import totp
from server.auth.models import (
    Membership,
    Organization,
    OrgSecurity,
    RecoveryCode,
    TotpCredential,
    User,
)
from server.auth.permissions import Role
from server.core.errors import BadRequest, Conflict

# SPEC section 1: the roles that can approve money or change access.
SECOND_FACTOR_ROLES = frozenset({Role.APPROVER, Role.ADMIN})
# The answer (403) where an organization's policy demands a second factor not set up yet.
TOTP_ENROLMENT_REQUIRED = "totp_enrollment_required"


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str


class CodeKind:
    TOTP = "totp"
    RECOVERY = "recovery"


async def enabled(db: AsyncSession, user_id: str) -> bool:
    credential = await db.get(TotpCredential, user_id)
    return credential is not None and credential.confirmed_at is not None


async def required_by(db: AsyncSession, user_id: str) -> dict[str, str]:
    """The organizations (id: name) whose policy makes a second factor mandatory for this user."""
    rows = await db.execute(
        select(Organization.id, Organization.name)
        .join(Membership, Membership.org_id == Organization.id)
        .join(OrgSecurity, OrgSecurity.org_id == Organization.id)
        .where(
            Membership.user_id == user_id,
            Membership.role.in_([r.value for r in SECOND_FACTOR_ROLES]),
            OrgSecurity.require_totp.is_(True),
        )
    )
    return {org_id: name for org_id, name in rows}


def suspends(role: Role, require_totp: bool, *, enabled: bool) -> bool:
    """Whether an organization's policy suspends a member: it requires a second factor of
    their role and they have none (`suspended_orgs` for all of a user's organizations at once,
    `accounts.membership` for one)."""
    return require_totp and role in SECOND_FACTOR_ROLES and not enabled


async def suspended_orgs(db: AsyncSession, user_id: str) -> set[str]:
    """The organizations whose resources the user may not reach until they enrol: those that
    require a second factor of their role while the user has none. A policy reaches only its
    own organization: sign-in, sessions and other organizations are never affected."""
    required = await required_by(db, user_id)
    if not required or await enabled(db, user_id):
        return set()
    return set(required)


async def enroll(db: AsyncSession, user: User, *, box: totp.SecretBox, issuer: str) -> Enrolment:
    """Start (or restart) an enrolment; it counts only once confirmed with a first code."""
    credential = await db.get(TotpCredential, user.id)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict("two-factor authentication is already enabled; disable it first")
    secret = totp.new_secret()
    if credential is None:
        credential = TotpCredential(user_id=user.id, created_at=datetime.now(UTC))
        db.add(credential)
    credential.secret_encrypted = box.seal(secret)
    credential.last_used_step = 0
    credential.created_at = datetime.now(UTC)
    uri = totp.provisioning_uri(secret, account=user.email, issuer=issuer)
    return Enrolment(secret, uri, totp.qr_svg(uri))


async def confirm(db: AsyncSession, user_id: str, code: str, *, box: totp.SecretBox) -> list[str]:
    """Turn two-factor on with a first valid code; return the recovery codes (shown once).

    Raise BadRequest for a wrong code (the caller counts it as a failed attempt).
    """
    credential = await db.get(TotpCredential, user_id)
    if credential is None:
        raise Conflict("start an enrolment first (POST /api/auth/2fa/enroll)")
    if credential.confirmed_at is not None:
        raise Conflict("two-factor authentication is already enabled")
    step = totp.matching_step(box.open(credential.secret_encrypted), code)
    if step is None:
        raise BadRequest("invalid two-factor code")
    # Conditional, so that of two confirmations sent at once only one turns it on.
    turned_on = await db.execute(
        update(TotpCredential)
        .where(TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_(None))
        .values(last_used_step=step, confirmed_at=datetime.now(UTC))
    )
    if _rowcount(turned_on) != 1:
        raise Conflict("two-factor authentication is already enabled")
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    db.add_all(RecoveryCode(user_id=user_id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    return codes


async def verify(db: AsyncSession, user_id: str, code: str, *, box: totp.SecretBox) -> str | None:
    """Check a TOTP or recovery code and use it up; return its kind, or None if it is wrong.

    A TOTP code is accepted once: its time step must come after the last one used. A recovery
    code is marked used. Both are consumed by a conditional UPDATE whose row count says whether
    this request won, so parallel requests with one code succeed once. The caller commits.
    """
    credential = await db.get(TotpCredential, user_id)
    if credential is None or credential.confirmed_at is None:
        return None
    if totp.looks_like_recovery_code(code):
        found = await db.scalar(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == totp.hash_recovery_code(code),
                RecoveryCode.used_at.is_(None),
            )
        )
        if found is None:
            return None
        # Use it up only if nobody did meanwhile: of parallel requests with one code, one wins.
        # The hash is matched again: a renewal may have deleted this code and its id been
        # reused by a new one (SQLite reuses row ids), which must not be used up in its place.
        used = await db.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.id == found,
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == totp.hash_recovery_code(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=datetime.now(UTC))
        )
        return CodeKind.RECOVERY if _rowcount(used) == 1 else None
    step = totp.matching_step(box.open(credential.secret_encrypted), code)
    if step is None:
        return None
    # The step must come after the last one used, checked and moved in one statement.
    moved = await db.execute(
        update(TotpCredential)
        .where(TotpCredential.user_id == user_id, TotpCredential.last_used_step < step)
        .values(last_used_step=step)
    )
    return CodeKind.TOTP if _rowcount(moved) == 1 else None


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


async def new_recovery_codes(db: AsyncSession, user_id: str) -> list[str]:
    """Replace the user's recovery codes, used or not, with a fresh set (shown once): the old
    ones stop working in the same transaction. The caller has checked a fresh code."""
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    db.add_all(RecoveryCode(user_id=user_id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    return codes


async def disable(db: AsyncSession, user_id: str) -> None:
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await db.execute(delete(TotpCredential).where(TotpCredential.user_id == user_id))


async def unused_recovery_codes(db: AsyncSession, user_id: str) -> int:
    rows = await db.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(rows))
