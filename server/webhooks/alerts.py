"""Switching an endpoint off, and telling the organization's admins when we did it: an audit
entry, an in-app notice per admin and an e-mail (through server/mail: SMTP or the outbox), all
in the transaction that disables it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Role, membership, org_users
from server.mail import service as mail
from server.webhooks.models import Endpoint, Notice

PURPOSE = "webhook_disabled"  # server/mail/templates/{en,fr}/webhook_disabled.txt


async def disable(
    db: AsyncSession,
    endpoint: Endpoint,
    *,
    reason: str,
    now: datetime,
    actor_id: str | None,
    ip: str | None = None,
) -> None:
    """Switch `endpoint` off with `reason`; audited. Without an actor (our decision), every
    admin of its organization gets a notice and an e-mail."""
    endpoint.enabled, endpoint.disabled_reason, endpoint.updated_at = False, reason[:300], now
    audit.record(
        db,
        AuditKind.WEBHOOK_DISABLED,
        actor_id=actor_id,
        ip=ip,
        org_id=endpoint.org_id,
        target=f"webhook {endpoint.id}",
        detail=f"{endpoint.url}: {reason}",
    )
    if actor_id is not None:
        return
    text = f"The webhook to {endpoint.url} was switched off: {reason}"
    for user in await org_users(db, endpoint.org_id):
        member = await membership(db, user.id, endpoint.org_id)
        if member is None or member.role is not Role.ADMIN:
            continue
        db.add(
            Notice(
                id=str(uuid.uuid4()),
                user_id=user.id,
                org_id=endpoint.org_id,
                endpoint_id=endpoint.id,
                text=text[:500],
                created_at=now,
            )
        )
        await mail.compose(
            db,
            org_id=endpoint.org_id,
            purpose=PURPOSE,
            language="en",
            to=[user.email],
            variables={"name": user.name, "url": endpoint.url, "reason": reason},
        )
