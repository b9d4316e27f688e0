"""Request and response bodies of the audit routes: the source of their OpenAPI description."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.audit.models import AuditEvent
from server.audit.service import AuditKind, BreakReason, Verdict
from server.core.api import Model, Timestamp

DEFAULT_PAGE = 100
MAX_PAGE = 1000


class AuditQuery(Model):
    limit: int = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="newest events first")


class AuditEventOut(BaseModel):
    id: int
    at: Timestamp
    # A string, not the enum: rows written by an older version stay readable.
    event: str = Field(examples=[k.value for k in AuditKind])
    actor_id: str | None
    org_id: str | None
    target: str | None
    ip: str | None
    detail: str | None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            at=event.at.isoformat(),
            event=event.event,
            actor_id=event.actor_id,
            org_id=event.org_id,
            target=event.target,
            ip=event.ip,
            detail=event.detail,
        )


class AuditPage(BaseModel):
    items: list[AuditEventOut]


class BrokenLinkOut(BaseModel):
    position: int = Field(description="the entry's place in the chain (from 1)")
    id: int
    reason: str = Field(examples=[r.value for r in BreakReason])


class AuditVerification(BaseModel):
    """The walk of the organization's hash chain (server/audit/chain.py)."""

    ok: bool
    entries: int = Field(description="entries walked, up to and including the first broken one")
    head_hash: str = Field(description="the last good entry's hash: keep it to detect truncation")
    first_broken: BrokenLinkOut | None = None

    @classmethod
    def of(cls, verdict: Verdict) -> AuditVerification:
        broken = verdict.first_broken
        return cls(
            ok=verdict.ok,
            entries=verdict.entries,
            head_hash=verdict.head_hash,
            first_broken=(
                BrokenLinkOut(position=broken.position, id=broken.id, reason=broken.reason.value)
                if broken
                else None
            ),
        )
