"""Outgoing webhooks (docs/integrations.md, "Domain events and webhooks"): an organization's
endpoints, each with its event selection and `whsec_` secret, managed by admins; the delivery
log; replaying an event and sending a test message. Delivery itself is delivery.py; the URL
rules urls.py; the signature signing.py. Every change is audited.

Another organization's endpoint answers 404 like an unknown one: every lookup is by
(organization, id).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.core.errors import BadRequest, Conflict, NotFound
from server.events import service as events
from server.webhooks import alerts, signing, urls
from server.webhooks.delivery import DELIVER as DELIVER
from server.webhooks.delivery import TEST_TYPE, box, config, key, queue
from server.webhooks.delivery import configure as configure
from server.webhooks.delivery import deliver as deliver
from server.webhooks.delivery import on_event as on_event
from server.webhooks.models import Attempt, Endpoint, Notice

MAX_ENDPOINTS = 20  # per organization: each event is one job per endpoint


async def _checked_url(url: str) -> str:
    try:
        await urls.check(url, allow_private=config.allow_private)
    except urls.Refused as refused:
        raise BadRequest(
            str(refused), code="url_refused", details=[("url", str(refused))]
        ) from None
    return url


def _types(selected: Sequence[str]) -> str:
    return json.dumps(sorted({events.EventType(t).value for t in selected}))


async def find(db: AsyncSession, *, org_id: str, endpoint_id: str) -> Endpoint:
    endpoint = await db.get(Endpoint, endpoint_id) if len(endpoint_id) <= 36 else None
    if endpoint is None or endpoint.org_id != org_id:
        raise NotFound("no such webhook")
    return endpoint


async def listing(db: AsyncSession, *, org_id: str) -> list[Endpoint]:
    query = select(Endpoint).where(Endpoint.org_id == org_id)
    return list(await db.scalars(query.order_by(Endpoint.created_at, Endpoint.id)))


async def create(
    db: AsyncSession,
    *,
    org_id: str,
    user_id: str,
    url: str,
    selected: Sequence[str],
    description: str,
    ip: str | None,
) -> tuple[Endpoint, str]:
    """A new endpoint, enabled, and its fresh secret (the caller shows it once)."""
    await _checked_url(url)
    count = len(await listing(db, org_id=org_id))
    if count >= MAX_ENDPOINTS:
        raise Conflict(f"an organization has at most {MAX_ENDPOINTS} webhooks", code="too_many")
    now, secret = datetime.now(UTC), signing.new_secret()
    endpoint = Endpoint(
        id=str(uuid.uuid4()),
        org_id=org_id,
        url=url,
        description=description.strip(),
        events=_types(selected),
        secret=box().seal(secret),
        enabled=True,
        exhausted=0,
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    db.add(endpoint)
    _audit(db, AuditKind.WEBHOOK_CREATED, endpoint, user_id, ip, f"{url}: {endpoint.events}")
    await db.flush()
    return endpoint, secret


async def change(
    db: AsyncSession,
    *,
    org_id: str,
    endpoint_id: str,
    user_id: str,
    url: str | None,
    selected: Sequence[str] | None,
    description: str | None,
    ip: str | None,
) -> Endpoint:
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    if url is not None:
        endpoint.url = await _checked_url(url)
    if selected is not None:
        endpoint.events = _types(selected)
    if description is not None:
        endpoint.description = description.strip()
    endpoint.updated_at = datetime.now(UTC)
    detail = f"{endpoint.url}: {endpoint.events}"
    _audit(db, AuditKind.WEBHOOK_CHANGED, endpoint, user_id, ip, detail)
    return endpoint


async def remove(
    db: AsyncSession, *, org_id: str, endpoint_id: str, user_id: str, ip: str | None
) -> None:
    """Delete the endpoint with its log and notices; its pending deliveries find it gone."""
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    _audit(db, AuditKind.WEBHOOK_DELETED, endpoint, user_id, ip, endpoint.url)
    await db.execute(delete(Attempt).where(Attempt.endpoint_id == endpoint.id))
    await db.execute(delete(Notice).where(Notice.endpoint_id == endpoint.id))
    await db.delete(endpoint)


async def rotate(
    db: AsyncSession, *, org_id: str, endpoint_id: str, user_id: str, ip: str | None
) -> str:
    """A new secret (the old one stops at once: attempts from now on carry the new one)."""
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    secret = signing.new_secret()
    endpoint.secret, endpoint.updated_at = box().seal(secret), datetime.now(UTC)
    _audit(db, AuditKind.WEBHOOK_SECRET_ROTATED, endpoint, user_id, ip, endpoint.url)
    return secret


async def set_enabled(
    db: AsyncSession,
    *,
    org_id: str,
    endpoint_id: str,
    user_id: str,
    enabled: bool,
    ip: str | None,
) -> Endpoint:
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    now = datetime.now(UTC)
    if enabled and not endpoint.enabled:
        await _checked_url(endpoint.url)
        endpoint.enabled, endpoint.disabled_reason, endpoint.updated_at = True, None, now
        endpoint.failing_since, endpoint.exhausted = None, 0  # a fresh start
        _audit(db, AuditKind.WEBHOOK_ENABLED, endpoint, user_id, ip, endpoint.url)
    elif not enabled and endpoint.enabled:
        await alerts.disable(
            db, endpoint, reason="disabled by an admin", now=now, actor_id=user_id, ip=ip
        )
    return endpoint


async def attempts(
    db: AsyncSession, *, org_id: str, endpoint_id: str, limit: int = 100
) -> list[Attempt]:
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    query = select(Attempt).where(Attempt.endpoint_id == endpoint.id)
    return list(await db.scalars(query.order_by(Attempt.at.desc(), Attempt.id).limit(limit)))


async def replay(
    db: AsyncSession,
    *,
    org_id: str,
    endpoint_id: str,
    event_id: str,
    user_id: str,
    ip: str | None,
) -> str:
    """Send one of the organization's events to the endpoint again, as a new delivery with
    the same `webhook-id` (the receiver recognises it)."""
    endpoint = await _enabled(db, org_id=org_id, endpoint_id=endpoint_id)
    event = await events.get(db, event_id) if len(event_id) <= 36 else None
    if event is None or event.org_id != org_id:
        raise NotFound("no such event")
    await queue(
        db,
        endpoint=endpoint,
        event_id=event.id,
        job_key=f"{key(endpoint.id, event.id)}:replay:{uuid.uuid4()}",
    )
    _audit(db, AuditKind.WEBHOOK_REPLAYED, endpoint, user_id, ip, f"{event.type} {event.id}")
    events.nudge_after_commit(db)
    return event.id


async def send_test(
    db: AsyncSession, *, org_id: str, endpoint_id: str, user_id: str, ip: str | None
) -> str:
    """A `webhook.test` message to the endpoint, delivered (and logged) like an event."""
    endpoint = await _enabled(db, org_id=org_id, endpoint_id=endpoint_id)
    message_id = events.new_id()
    now = datetime.now(UTC)
    data = {"endpoint_id": endpoint.id, "message": "A test event from Cofacture"}
    test = {"at": now.isoformat(), "data": data}
    await queue(
        db, endpoint=endpoint, event_id=message_id, job_key=key(endpoint.id, message_id), test=test
    )
    _audit(db, AuditKind.WEBHOOK_TESTED, endpoint, user_id, ip, f"{TEST_TYPE} {message_id}")
    events.nudge_after_commit(db)
    return message_id


async def notices(db: AsyncSession, *, org_id: str, user_id: str) -> list[Notice]:
    """The caller's unread notices of disabled endpoints, newest first."""
    query = select(Notice).where(
        Notice.org_id == org_id, Notice.user_id == user_id, Notice.read_at.is_(None)
    )
    return list(await db.scalars(query.order_by(Notice.created_at.desc()).limit(50)))


async def read_notice(db: AsyncSession, *, org_id: str, user_id: str, notice_id: str) -> None:
    done = await db.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.org_id == org_id, Notice.user_id == user_id)
        .values(read_at=datetime.now(UTC))
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("no such notice")


async def _enabled(db: AsyncSession, *, org_id: str, endpoint_id: str) -> Endpoint:
    endpoint = await find(db, org_id=org_id, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise Conflict("the webhook is disabled: enable it first", code="disabled")
    return endpoint


def _audit(
    db: AsyncSession,
    kind: AuditKind,
    endpoint: Endpoint,
    user_id: str,
    ip: str | None,
    detail: str,
) -> None:
    audit.record(
        db,
        kind,
        actor_id=user_id,
        ip=ip,
        org_id=endpoint.org_id,
        target=f"webhook {endpoint.id}",
        detail=detail,
    )


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": json.loads(endpoint.events),
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
        "created_at": endpoint.created_at.isoformat(),
        "updated_at": endpoint.updated_at.isoformat(),
    }


def attempt_json(row: Attempt) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "attempt": row.attempt,
        "at": row.at.isoformat(),
        "status_code": row.status_code,
        "duration_ms": row.duration_ms,
        "error": row.error,
        "response": row.response,
        "outcome": row.outcome,
        "next_at": row.next_at.isoformat() if row.next_at else None,
    }


def notice_json(row: Notice) -> dict[str, Any]:
    return {
        "id": row.id,
        "endpoint_id": row.endpoint_id,
        "text": row.text,
        "created_at": row.created_at.isoformat(),
    }
