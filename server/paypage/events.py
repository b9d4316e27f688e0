"""What a verified event of the card payment provider does, exactly once (docs/paypage.md).

A paid checkout records one card payment through `payments.apply`; a refund records a refund
tied to the credit note its metadata names. Each event id is taken once (`provider_events`)
and each checkout session once (`provider_payments`), by unique keys in the transaction that
records the money, so replays, several events of one session, and events out of order count
once. What cannot be recorded as it is is kept as `attention` and audited.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.audit import service as audit
from server.audit.service import AuditKind
from server.core.errors import ApiError
from server.invoices import service as invoices
from server.payments import service as payments
from server.paypage.models import ProviderEvent, ProviderPayment
from server.paypage.provider import Event, EventKind, PaymentProvider

log = logging.getLogger(__name__)


async def handle(
    sessions: async_sessionmaker[AsyncSession], provider: PaymentProvider, event: Event
) -> str:
    if event.kind in (EventKind.PAID, EventKind.PENDING):
        return await _paid(sessions, provider.name, event)
    if event.kind is EventKind.REFUNDED:
        return await _refunded(sessions, provider.name, event)
    return "ignored"


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-payments.places_of(currency))


async def _ours(sessions: async_sessionmaker[AsyncSession], event: Event) -> str | None:
    """The org of the invoice the event names, when it is an invoice of that very org."""
    if not event.invoice_id or not event.org_id:
        return None
    async with sessions() as db:
        found = await invoices.get_many(db, [event.invoice_id])
    if not found or found[0].org_id != event.org_id or found[0].kind != invoices.INVOICE:
        return None
    return found[0].org_id


async def _paid(
    sessions: async_sessionmaker[AsyncSession], provider_name: str, event: Event
) -> str:
    org_id = await _ours(sessions, event)
    if org_id is None or event.invoice_id is None or event.session_id is None:
        log.info("%s event %s names no invoice of ours: ignored", provider_name, event.id)
        return "ignored"
    invoice_id, session_id = event.invoice_id, event.session_id
    try:
        async with sessions.begin() as db:
            if not await _claim(db, provider_name, event, org_id, invoice_id):
                return "duplicate"
            if event.kind is EventKind.PENDING:
                return await _outcome(db, provider_name, event, "pending")
            if not await _claim_session(db, provider_name, event, org_id, invoice_id):
                return await _outcome(db, provider_name, event, "duplicate", "session counted")
            amount = _amount(event, await invoices.get(db, invoice_id))
            entry = payments.Entry(
                kind=payments.Kind.PAYMENT,
                amount=amount,
                date=event.created.date(),
                method=payments.Method.CARD,
                reference=event.payment_intent or session_id,
            )
            recorded = await payments.apply(
                db, invoice_id=invoice_id, org_id=org_id, entry=entry, actor_id=None, ip=None
            )
            await db.execute(
                update(ProviderPayment)
                .where(
                    ProviderPayment.provider == provider_name,
                    ProviderPayment.session_id == session_id,
                )
                .values(payment_id=recorded["id"])
            )
            return await _outcome(db, provider_name, event, "recorded", f"payment {recorded['id']}")
    except (ApiError, _Unusable) as exc:
        reason = exc.message if isinstance(exc, ApiError) else str(exc)
        async with sessions.begin() as db:
            if not await _claim(db, provider_name, event, org_id, invoice_id):
                return "duplicate"
            await _claim_session(db, provider_name, event, org_id, invoice_id)
            return await _attention(db, provider_name, event, org_id, invoice_id, reason)


class _Unusable(Exception):
    """An event we cannot record as it is (another currency, no amount)."""


def _amount(event: Event, invoice: invoices.Invoice) -> str:
    if event.amount_minor is None or event.amount_minor <= 0:
        raise _Unusable("the event carries no amount")
    if event.currency != invoice.currency:
        raise _Unusable(f"paid in {event.currency}, the invoice is in {invoice.currency}")
    return payments.text(_major(event.amount_minor, invoice.currency), invoice.currency)


async def _refunded(
    sessions: async_sessionmaker[AsyncSession], provider_name: str, event: Event
) -> str:
    if not event.payment_intent or event.amount_minor is None:
        return "ignored"
    query = select(ProviderPayment).where(
        ProviderPayment.provider == provider_name,
        ProviderPayment.payment_intent == event.payment_intent,
    )
    async with sessions() as db:
        row = await db.scalar(query)
    if row is None:
        log.info("%s refund %s is of no payment of ours: ignored", provider_name, event.id)
        return "ignored"
    org_id, invoice_id, currency = row.org_id, row.invoice_id, row.currency
    delta = 0
    try:
        async with sessions.begin() as db:
            if not await _claim(db, provider_name, event, org_id, invoice_id):
                return "duplicate"
            row = (await db.scalars(query.with_for_update())).one()
            delta = event.amount_minor - row.refunded_minor
            if delta <= 0:  # an older event after a newer one: already counted
                return await _outcome(db, provider_name, event, "duplicate", "refund counted")
            row.refunded_minor = event.amount_minor
            amount = payments.text(_major(delta, currency), currency)
            if not event.credit_note_id:
                reason = f"a card refund of {amount} {currency} names no credit note: not recorded"
                return await _attention(db, provider_name, event, org_id, invoice_id, reason)
            entry = payments.Entry(
                kind=payments.Kind.REFUND,
                amount=amount,
                date=event.created.date(),
                method=payments.Method.CARD,
                reference=event.charge_id or event.payment_intent,
                credit_note_id=event.credit_note_id,
            )
            recorded = await payments.apply(
                db, invoice_id=invoice_id, org_id=org_id, entry=entry, actor_id=None, ip=None
            )
            return await _outcome(db, provider_name, event, "refunded", f"refund {recorded['id']}")
    except ApiError as exc:
        async with sessions.begin() as db:
            if not await _claim(db, provider_name, event, org_id, invoice_id):
                return "duplicate"
            await db.execute(
                update(ProviderPayment)
                .where(
                    ProviderPayment.provider == provider_name,
                    ProviderPayment.payment_intent == event.payment_intent,
                    ProviderPayment.refunded_minor < event.amount_minor,
                )
                .values(refunded_minor=event.amount_minor)
            )
            reason = f"a card refund could not be recorded: {exc.message}"
            return await _attention(db, provider_name, event, org_id, invoice_id, reason)


async def _claim(
    db: AsyncSession, provider_name: str, event: Event, org_id: str, invoice_id: str
) -> bool:
    """Take the event id (the transaction's first statement, a write: SQLite's write lock is
    taken before anything is read); False when it was taken before: a replay."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    result: Any = await db.execute(
        insert(ProviderEvent)
        .values(
            provider=provider_name,
            event_id=event.id,
            type=event.type[:100],
            org_id=org_id,
            invoice_id=invoice_id,
            outcome="received",
            received_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def _claim_session(
    db: AsyncSession, provider_name: str, event: Event, org_id: str, invoice_id: str
) -> bool:
    """Take the checkout session; False when another event of it was counted already."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    result: Any = await db.execute(
        insert(ProviderPayment)
        .values(
            provider=provider_name,
            session_id=event.session_id,
            payment_intent=event.payment_intent,
            event_id=event.id,
            org_id=org_id,
            invoice_id=invoice_id,
            amount_minor=event.amount_minor or 0,
            currency=event.currency or "",
            refunded_minor=0,
            recorded_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def _outcome(
    db: AsyncSession, provider_name: str, event: Event, outcome: str, detail: str | None = None
) -> str:
    await db.execute(
        update(ProviderEvent)
        .where(ProviderEvent.provider == provider_name, ProviderEvent.event_id == event.id)
        .values(outcome=outcome, detail=detail[:400] if detail else None)
    )
    return outcome


async def _attention(
    db: AsyncSession,
    provider_name: str,
    event: Event,
    org_id: str,
    invoice_id: str,
    reason: str,
) -> str:
    """An event a person must look at: kept with its reason and audited."""
    log.warning("%s event %s needs attention: %s", provider_name, event.id, reason)
    audit.record(
        db,
        AuditKind.CARD_EVENT_ATTENTION,
        actor_id=None,
        ip=None,
        org_id=org_id,
        target=f"invoice {invoice_id}",
        detail=f"{provider_name} {event.type} {event.id}: {reason}",
    )
    return await _outcome(db, provider_name, event, "attention", reason)
