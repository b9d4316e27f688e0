"""The audit log: every authentication and authorization event, with actor, time, IP and target."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent


class AuditKind(StrEnum):
    LOGIN_OK = "login.ok"
    LOGIN_FAILED = "login.failed"
    LOGIN_THROTTLED = "login.throttled"
    LOGOUT = "logout"
    REFRESH_REUSED = "refresh.reused"
    PASSWORD_CHANGED = "password.changed"
    TOTP_ENROLLED = "totp.enrolled"
    TOTP_DISABLED = "totp.disabled"
    RECOVERY_CODE_USED = "totp.recovery_code_used"
    MEMBER_INVITED = "member.invited"
    MEMBER_ADDED = "member.added"
    INVITATION_DECLINED = "member.declined"
    ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    POLICY_CHANGED = "org.policy_changed"
    ACCESS_DENIED = "access.denied"
    LOCK_BROKEN = "lock.broken"
    PROFILE_CHANGED = "org.profile_changed"
    SERIES_CHANGED = "org.series_changed"
    INVOICE_RESTORED = "invoice.restored"


def record(
    db: AsyncSession,
    kind: AuditKind,
    *,
    actor_id: str | None,
    ip: str | None,
    target: str | None = None,
    org_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Add an event to the caller's transaction (it is written when that commits)."""
    db.add(
        AuditEvent(
            at=datetime.now(UTC),
            event=kind.value,
            actor_id=actor_id,
            org_id=org_id,
            target=target[:400] if target else None,
            ip=ip,
            detail=detail[:400] if detail else None,
        )
    )


async def for_org(
    db: AsyncSession, org_id: str, *, member_ids: Collection[str], limit: int
) -> list[AuditEvent]:
    """The organization's events plus the sign-in events of `member_ids` (its current members,
    which the caller gets from auth's service), newest first."""
    query = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.org_id == org_id,
                and_(AuditEvent.org_id.is_(None), AuditEvent.actor_id.in_(list(member_ids))),
            )
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(await db.scalars(query))
