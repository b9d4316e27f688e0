"""Domain events (issue 17): what happened in an organization, told to whoever listens.

- `emit(db, org_id=..., type=..., data=...)` in the transaction of the cause: one `events` row
  and one `events.dispatch` job keyed by the event's id, both committed or rolled back with
  the cause. Never an event for something that did not happen, never one lost.
- `subscribe(name, subscriber)` (app assembly): the dispatch job calls every subscriber in its
  own transaction; a subscriber only queues its own jobs there, keyed by the event's id, so
  one event brings each effect about once however often the dispatch runs.

Features emit; they never know who listens (webhooks, chat notifications). What `data` holds
per type is the contract in docs/integrations.md ("Domain events and webhooks").
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from server.events.models import EventRow
from server.jobs import service as jobs

DISPATCH: Final = "events.dispatch"
EXCERPT_CHARS: Final = 200  # comment.created's excerpt


class EventType(StrEnum):
    INVOICE_CREATED = "invoice.created"
    INVOICE_SUBMITTED = "invoice.submitted"
    INVOICE_APPROVED = "invoice.approved"
    INVOICE_REJECTED = "invoice.rejected"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_PAID = "invoice.paid"
    INVOICE_OVERDUE = "invoice.overdue"
    PAYMENT_RECORDED = "payment.recorded"
    COMMENT_CREATED = "comment.created"
    EXCEPTION_OPENED = "exception.opened"
    EXCEPTION_RESOLVED = "exception.resolved"


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    org_id: str
    type: EventType
    data: dict[str, Any]
    actor_id: str | None
    at: datetime


Subscriber = Callable[[AsyncSession, Event], Awaitable[None]]
_subscribers: dict[str, Subscriber] = {}  # by name: assembling the app again replaces one


def subscribe(name: str, subscriber: Subscriber | None) -> None:
    """Register (None: remove) a subscriber of every event, called by the dispatch job."""
    if subscriber is None:
        _subscribers.pop(name, None)
    else:
        _subscribers[name] = subscriber


def new_id() -> str:
    """`msg_` + 32 hex: the Standard Webhooks message id form, unique without coordination."""
    return f"msg_{secrets.token_hex(16)}"


async def emit(
    db: AsyncSession,
    *,
    org_id: str,
    type: EventType,
    data: dict[str, Any],
    actor_id: str | None = None,
) -> str:
    """Record the event and queue its dispatch in `db`'s transaction; the event's id."""
    event_id = new_id()
    db.add(
        EventRow(
            id=event_id,
            org_id=org_id,
            type=EventType(type).value,
            data=json.dumps(data, separators=(",", ":"), default=str),
            actor_id=actor_id,
            at=datetime.now(UTC),
        )
    )
    await jobs.enqueue(
        db, kind=DISPATCH, key=f"{DISPATCH}:{event_id}", org_id=org_id, payload={"id": event_id}
    )
    nudge_after_commit(db)
    return event_id


async def dispatch(ctx: jobs.Context) -> None:
    """The `events.dispatch` job: every subscriber, in this job's transaction."""
    found = await get(ctx.db, str(ctx.payload["id"]))
    if found is None:
        raise jobs.Permanent(f"no event {ctx.payload['id']}")
    for subscriber in list(_subscribers.values()):
        await subscriber(ctx.db, found)
    nudge_after_commit(ctx.db)  # what the subscribers queued runs now, not at the next poll


async def get(db: AsyncSession, event_id: str) -> Event | None:
    row = await db.get(EventRow, event_id)
    return None if row is None else _event(row)


async def listing(
    db: AsyncSession, *, org_id: str, type: str | None = None, limit: int = 50
) -> list[Event]:
    """An organization's latest events, newest first."""
    query = select(EventRow).where(EventRow.org_id == org_id)
    if type is not None:
        query = query.where(EventRow.type == type)
    rows = await db.scalars(query.order_by(EventRow.at.desc(), EventRow.id).limit(limit))
    return [_event(row) for row in rows]


def _event(row: EventRow) -> Event:
    data = json.loads(row.data)
    assert isinstance(data, dict)
    return Event(row.id, row.org_id, EventType(row.type), data, row.actor_id, row.at)


# -- what the features put in `data` ---------------------------------------------------------


class InvoiceFacts(Protocol):
    """The invoice columns every invoice event carries (server/invoices' row has them)."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def customer_name(self) -> str | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def gross(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def kind(self) -> str: ...


def invoice_data(invoice: InvoiceFacts, **extra: Any) -> dict[str, Any]:
    """`data` of an `invoice.*` or `payment.recorded` event: the invoice's facts and `extra`."""
    return {
        "invoice_id": invoice.id,
        "number": invoice.number,
        "customer_name": invoice.customer_name,
        "currency": invoice.currency,
        "gross": invoice.gross,
        "status": invoice.status,
        "kind": invoice.kind,  # "invoice" or "credit_note"
        **extra,
    }


def excerpt(text: str) -> str:
    return text[:EXCERPT_CHARS]


# -- waking the workers once the transaction commits -------------------------------------------

_HOOKED: Final = "cofacture.events_nudge"


def nudge_after_commit(db: AsyncSession) -> None:
    """Wake this process's job workers when `db`'s transaction commits (a worker that looked
    before the commit would not see the job until its next poll)."""
    session = db.sync_session
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        sa_event.listen(session, "after_commit", _committed)


def _committed(session: Session) -> None:
    jobs.nudge()
