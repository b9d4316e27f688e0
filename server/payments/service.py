"""Payments: recorded on issued invoices by accountants, moving them to partially_paid and paid;
refunds tied to credit notes; what each customer still owes (docs/payments.md).

- `record` checks the caller and the invoice, then `apply` writes the payment in one
  transaction that first locks the invoice's account row (so concurrent recordings on one
  invoice run one after the other, on SQLite and on PostgreSQL) and then the invoice row (so a
  credit note being issued is counted), recomputes the status, audits, and tells the board.
- `overview` lists an invoice's payments with its balance; `receivables` sums, per customer,
  what is outstanding and what of it is overdue.

The modules: this one (recording, an invoice's payments), balances.py (what an invoice asks
for and what was paid), receivables.py (what each customer owes), rules.py (pure rules).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability
from server.core import changes
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from server.credit_notes import service as credit_notes
from server.events import service as events
from server.invoices import service as invoices
from server.payments.balances import account_balance, balance, balances
from server.payments.models import Payment, PaymentAccount
from server.payments.overdue import OVERDUE as OVERDUE  # invoice.overdue, for app assembly
from server.payments.overdue import OVERDUE_SWEEP as OVERDUE_SWEEP
from server.payments.overdue import emit_overdue as emit_overdue
from server.payments.overdue import queue_overdue as queue_overdue
from server.payments.overdue import sweep_overdue as sweep_overdue
from server.payments.receivables import receivables
from server.payments.reporting import Moved as Moved  # for the accounting export
from server.payments.reporting import moved_between as moved_between
from server.payments.rules import (
    PAYABLE,
    REFUNDABLE,
    AmountError,
    Balance,
    Kind,
    Method,
    parse_amount,
    status_after,
)
from server.payments.rules import places_of as places_of  # for the other features
from server.payments.rules import text as text

__all__ = [
    "Balance",
    "Entry",
    "Kind",
    "Method",
    "apply",
    "balance",
    "balances",
    "overview",
    "paid_among",
    "places_of",
    "receivables",
    "record",
    "text",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A payment or refund as asked for; `amount` is the text the client sent, read against the
    invoice's currency once it is known."""

    kind: Kind
    amount: object
    date: date
    method: Method
    reference: str | None = None
    credit_note_id: str | None = None


async def record(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    entry: Entry,
    ip: str | None,
) -> dict[str, Any]:
    """Record a payment or refund on an invoice of the caller's organization; the payment with
    the invoice's new status and balance. 404 as for reading the invoice, 403 without
    `payment.manage`, 409 on an invoice not issued, 422 for an unusable amount."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.PAYMENT_MANAGE):
            raise Forbidden(f"a {found.member.role} cannot record payments")
    invoice = found.invoice
    async with sessions.begin() as db:
        return await apply(
            db,
            invoice_id=invoice.id,
            org_id=invoice.org_id,
            entry=entry,
            actor_id=user_id,
            ip=ip,
        )


async def apply(
    db: AsyncSession,
    *,
    invoice_id: str,
    org_id: str,
    entry: Entry,
    actor_id: str | None,
    ip: str | None,
) -> dict[str, Any]:
    """Write one payment or refund in the caller's transaction, which must not have used the
    database yet (its first statement takes SQLite's write lock, before anything is read); for
    the features that record payments themselves (bank reconciliation, the payment provider),
    `actor_id` None for the system. The caller checked the right to do it; an invoice that is
    not `org_id`'s is a 404."""
    account = await _lock_account(db, invoice_id, org_id)
    invoice = await invoices.lock_invoice(db, invoice_id)  # a credit note's issue waits
    if invoice.org_id != org_id:
        raise NotFound("no such invoice")
    if invoice.kind != invoices.INVOICE:
        raise Conflict(
            "a credit note takes no payments: record a refund on the invoice it credits",
            code="not_an_invoice",
        )
    _check_state(invoice.status, entry.kind)
    currency = invoice.currency
    try:
        amount = parse_amount(entry.amount, currency)
    except AmountError as error:
        raise Unprocessable(error.message, code=error.code) from None
    if entry.kind is Kind.REFUND:
        await _check_credit_note(db, invoice, entry.credit_note_id)
    before = await account_balance(db, invoice, account)
    if entry.kind is Kind.REFUND and amount > before.paid:
        raise Conflict(
            f"a refund of {text(amount, currency)} {currency} is more than was paid "
            f"({text(before.paid, currency)} {currency})",
            code="exceeds_paid",
        )
    now = datetime.now(UTC)
    payment = Payment(
        id=str(uuid.uuid4()),
        org_id=invoice.org_id,
        invoice_id=invoice.id,
        kind=entry.kind.value,
        amount=text(amount, currency),
        currency=currency,
        date=entry.date.isoformat(),
        method=entry.method.value,
        reference=(entry.reference or "").strip() or None,
        credit_note_id=entry.credit_note_id if entry.kind is Kind.REFUND else None,
        recorded_by=actor_id,
        recorded_at=now,
    )
    db.add(payment)
    if entry.kind is Kind.PAYMENT:
        account.payments = str(Decimal(account.payments) + amount)
    else:
        account.refunds = str(Decimal(account.refunds) + amount)
    account.updated_at = now
    after = Balance(currency, before.due, before.credited, before.payments, before.refunds)
    after = _with(after, entry.kind, amount)
    previous = invoice.status  # set_state updates the loaded row too
    status = status_after(previous, after)
    if status != previous:
        await invoices.set_state(db, invoice_id=invoice.id, status=status)
    await _emit(db, invoice, payment, paid=status == "paid" and previous != "paid")
    detail = (
        f"{entry.kind.value} {payment.id}: {payment.amount} {currency} by {payment.method} on "
        f"{payment.date}"
        + (f", credit note {payment.credit_note_id}" if payment.credit_note_id else "")
        + (f", reference {payment.reference}" if payment.reference else "")
        + f"; {previous} -> {status}, paid {text(after.paid, currency)} of "
        f"{text(after.due, currency)}"
    )
    audit.record(
        db,
        AuditKind.PAYMENT_RECORDED if entry.kind is Kind.PAYMENT else AuditKind.REFUND_RECORDED,
        actor_id=actor_id,
        ip=ip,
        org_id=invoice.org_id,
        target=f"invoice {invoice.id}",
        detail=detail,
    )
    await db.flush()
    changes.after_commit(db, invoice.org_id, invoice.id)  # the board's card moves
    return {**_payment_json(payment), "invoice": {"status": status, **after.as_json()}}


async def _emit(
    db: AsyncSession, invoice: invoices.Invoice, payment: Payment, *, paid: bool
) -> None:
    """payment.recorded (not for a refund), then invoice.paid when this payment settled it."""
    if payment.kind == Kind.PAYMENT.value:
        data = events.invoice_data(
            invoice, payment_id=payment.id, amount=payment.amount, paid_on=payment.date
        )
        await events.emit(
            db,
            org_id=invoice.org_id,
            type=events.EventType.PAYMENT_RECORDED,
            data=data,
            actor_id=payment.recorded_by,
        )
    if paid:
        await events.emit(
            db,
            org_id=invoice.org_id,
            type=events.EventType.INVOICE_PAID,
            data=events.invoice_data(invoice),
            actor_id=payment.recorded_by,
        )


def _with(balance: Balance, kind: Kind, amount: Decimal) -> Balance:
    if kind is Kind.PAYMENT:
        payments, refunds = balance.payments + amount, balance.refunds
    else:
        payments, refunds = balance.payments, balance.refunds + amount
    return Balance(balance.currency, balance.due, balance.credited, payments, refunds)


def _check_state(status: str, kind: Kind) -> None:
    allowed = PAYABLE if kind is Kind.PAYMENT else REFUNDABLE
    if status not in allowed:
        what = "payments are" if kind is Kind.PAYMENT else "refunds are"
        raise Conflict(
            f"the invoice is {status}: {what} recorded only on issued invoices", code="not_issued"
        )


async def _check_credit_note(
    db: AsyncSession, invoice: invoices.Invoice, credit_note_id: str | None
) -> None:
    """A refund pays back what an issued credit note of this very invoice credited."""
    link = await credit_notes.link(db, credit_note_id) if credit_note_id else None
    if link is None or link.original_id != invoice.id:
        raise BadRequest(
            "`credit_note_id` names no credit note of this invoice", code="unknown_credit_note"
        )
    note = await invoices.get(db, link.credit_note_id)
    if note.status not in PAYABLE:
        raise Conflict(
            f"the credit note is {note.status}: a refund is tied to an issued credit note",
            code="credit_note_not_issued",
        )


async def _lock_account(db: AsyncSession, invoice_id: str, org_id: str) -> PaymentAccount:
    """The invoice's account row, created if missing, locked until the transaction ends (the
    INSERT takes SQLite's write lock; on PostgreSQL the row is then read FOR UPDATE)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        insert(PaymentAccount)
        .values(invoice_id=invoice_id, org_id=org_id, payments="0", refunds="0")
        .on_conflict_do_nothing()
    )
    query = select(PaymentAccount).where(PaymentAccount.invoice_id == invoice_id).with_for_update()
    return (await db.scalars(query.execution_options(populate_existing=True))).one()


def _payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "kind": payment.kind,
        "amount": payment.amount,
        "currency": payment.currency,
        "date": payment.date,
        "method": payment.method,
        "reference": payment.reference,
        "credit_note_id": payment.credit_note_id,
        "recorded_by": payment.recorded_by,
        "recorded_at": payment.recorded_at.isoformat(),
    }


async def overview(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> dict[str, Any]:
    """An invoice's payments and refunds (by date, then as recorded) and its balance, which is
    null until the invoice is issued; 404 as for reading the invoice."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        invoice = found.invoice
        rows = list(
            await db.scalars(
                select(Payment)
                .where(Payment.invoice_id == invoice.id)
                .order_by(Payment.date, Payment.recorded_at, Payment.id)
            )
        )
        balance = None
        if invoice.kind == invoices.INVOICE and (invoice.status in REFUNDABLE or rows):
            account = await db.get(PaymentAccount, invoice.id)
            balance = (await account_balance(db, invoice, account)).as_json()
    return {
        "invoice_id": invoice.id,
        "status": invoice.status,
        "balance": balance,
        "items": [_payment_json(row) for row in rows],
    }


async def paid_among(db: AsyncSession, org_id: str) -> dict[str, Decimal]:
    """Each invoice of the organization that had a payment -> its payments less refunds."""
    rows = await db.scalars(select(PaymentAccount).where(PaymentAccount.org_id == org_id))
    return {row.invoice_id: Decimal(row.payments) - Decimal(row.refunds) for row in rows}
