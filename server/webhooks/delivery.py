"""Delivering events to endpoints through the job queue (server/jobs).

- The events subscriber (`on_event`, called by `events.dispatch` in its transaction) queues one
  `webhooks.deliver` job per enabled endpoint that selected the event's type, keyed
  `webhook:<endpoint>:<event id>`: one delivery per (event, endpoint), however often the
  dispatch runs.
- A job makes one attempt: the URL checked again (SSRF), the body signed afresh (the
  timestamp is the attempt's), posted, and the attempt written to the delivery log in the
  job's transaction. A 2xx ends it. A 410 Gone disables the endpoint. Anything else is retried
  on the Standard Webhooks schedule (`SCHEDULE`) by `jobs.Again`, which commits the log entry
  with the new due time; after the last attempt the delivery is given up.
- An endpoint failing every attempt for `FAILING_FOR`, or with `EXHAUSTED_IN_A_ROW` events
  given up in a row, is disabled and its admins told (alerts.py).

A process killed mid-attempt leaves the job's lease to run out: the attempt is made again with
the same `webhook-id`, so a receiver that got it drops the repeat (the specification's
idempotency rule); the delivery log holds what committed.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.events import service as events
from server.jobs import service as jobs
from server.webhooks import alerts, sending, signing, urls
from server.webhooks.models import Attempt, Endpoint

DELIVER: Final = "webhooks.deliver"
TEST_TYPE: Final = "webhook.test"
# Seconds to wait before attempt n+1 after attempt n failed: the specification's suggested
# schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): 8 attempts over ~27.6 h.
SCHEDULE: Final = (5, 300, 1800, 7200, 18000, 36000, 36000)
FAILING_FOR: Final = timedelta(hours=24)
EXHAUSTED_IN_A_ROW: Final = 5
SUCCEEDED, RETRYING, FAILED, DISABLED = "succeeded", "retrying", "failed", "disabled"


@dataclass(slots=True)
class _Config:
    allow_private: bool = False
    box: signing.SecretBox | None = None


config = _Config()


def configure(*, allow_private: bool, secret_key: str) -> None:
    """WEBHOOKS_ALLOW_PRIVATE: endpoints on private and loopback addresses (development);
    SECRET_KEY: what the endpoints' secrets are sealed with."""
    config.allow_private, config.box = allow_private, signing.SecretBox(secret_key)


def box() -> signing.SecretBox:
    assert config.box is not None, "webhooks.configure() was not called"
    return config.box


def key(endpoint_id: str, event_id: str) -> str:
    return f"webhook:{endpoint_id}:{event_id}"


async def on_event(db: AsyncSession, event: events.Event) -> None:
    """The events subscriber: a delivery job per endpoint that wants `event`."""
    found = await db.scalars(
        select(Endpoint).where(Endpoint.org_id == event.org_id, Endpoint.enabled)
    )
    for endpoint in found:
        if event.type.value in json.loads(endpoint.events):
            await queue(
                db, endpoint=endpoint, event_id=event.id, job_key=key(endpoint.id, event.id)
            )


async def queue(
    db: AsyncSession,
    *,
    endpoint: Endpoint,
    event_id: str,
    job_key: str,
    test: dict[str, Any] | None = None,
) -> bool:
    """One delivery of `event_id` (or of a test message) to `endpoint`, once per `job_key`."""
    payload: dict[str, Any] = {"endpoint_id": endpoint.id, "event_id": event_id}
    if test is not None:
        payload["test"] = test
    return await jobs.enqueue(
        db, kind=DELIVER, key=job_key, org_id=endpoint.org_id, payload=payload
    )


def body_of(type_: str, at: datetime, data: dict[str, Any]) -> bytes:
    """The Standard Webhooks payload: `{type, timestamp, data}`, the same bytes every time."""
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    message = {"type": type_, "timestamp": stamp, "data": data}
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


async def _message(ctx: jobs.Context) -> tuple[str, bytes] | None:
    test = ctx.payload.get("test")
    if isinstance(test, dict):
        return TEST_TYPE, body_of(TEST_TYPE, datetime.fromisoformat(test["at"]), test["data"])
    event = await events.get(ctx.db, str(ctx.payload["event_id"]))
    if event is None:
        return None
    return event.type.value, body_of(event.type.value, event.at, event.data)


async def deliver(ctx: jobs.Context) -> None:
    """The `webhooks.deliver` job: one attempt (see the module's description)."""
    endpoint = await ctx.db.get(Endpoint, str(ctx.payload["endpoint_id"]))
    message = await _message(ctx)
    if endpoint is None or endpoint.org_id != ctx.org_id or message is None:
        return  # deleted since it was queued
    if not endpoint.enabled:
        return  # switched off: its pending deliveries stop (a replay can send them later)
    event_id, (type_, body) = str(ctx.payload["event_id"]), message
    try:
        address = await urls.check(endpoint.url, allow_private=config.allow_private)
    except urls.Refused as refused:
        result = sending.Result(None, 0, f"refused: {refused}", None)
    else:
        secret = box().open(endpoint.secret)
        headers = signing.headers(secret, event_id, int(time.time()), body)
        result = await sending.post(endpoint.url, headers, body, address=address)
    # The endpoint again, locked: another worker may be recording an attempt on it too.
    endpoint = await ctx.db.get(Endpoint, endpoint.id, with_for_update=True, populate_existing=True)
    if endpoint is None:
        return
    outcome, next_at = _judge(endpoint, result, ctx.attempt, ctx.now)
    reason = _disable_reason(endpoint, result, ctx.now)
    if reason is not None and outcome == RETRYING:
        outcome, next_at = FAILED, None  # no attempt more: the endpoint is switched off
    ctx.db.add(
        Attempt(
            id=str(uuid.uuid4()),
            endpoint_id=endpoint.id,
            org_id=endpoint.org_id,
            event_id=event_id,
            event_type=type_,
            attempt=ctx.attempt,
            at=ctx.now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error[:500] if result.error else None,
            response=result.response,
            outcome=outcome,
            next_at=next_at,
        )
    )
    if reason is not None and endpoint.enabled:
        await alerts.disable(ctx.db, endpoint, reason=reason, now=ctx.now, actor_id=None)
    if outcome == RETRYING:
        assert next_at is not None
        raise jobs.Again(next_at, result.error or "failed")


def _judge(
    endpoint: Endpoint, result: sending.Result, attempt: int, now: datetime
) -> tuple[str, datetime | None]:
    """The attempt's outcome, and the endpoint's failure record brought up to date."""
    if result.ok:
        endpoint.failing_since, endpoint.exhausted = None, 0
        return SUCCEEDED, None
    if result.status_code == 410:
        return DISABLED, None
    endpoint.failing_since = endpoint.failing_since or now
    if attempt > len(SCHEDULE):  # the last of its len(SCHEDULE) + 1 attempts
        endpoint.exhausted += 1
        return FAILED, None
    return RETRYING, now + timedelta(seconds=SCHEDULE[attempt - 1])


def _disable_reason(endpoint: Endpoint, result: sending.Result, now: datetime) -> str | None:
    if result.status_code == 410:
        return "the receiver answered 410 Gone"
    if endpoint.exhausted >= EXHAUSTED_IN_A_ROW:
        return f"{endpoint.exhausted} events in a row could not be delivered"
    if endpoint.failing_since is not None and now - endpoint.failing_since >= FAILING_FOR:
        hours = int((now - endpoint.failing_since).total_seconds() // 3600)
        return f"every attempt failed for {hours} hours"
    return None
