"""Bank reconciliation: bank statements imported (camt.053, CSV), their credits matched to open
invoices, confirmed by an accountant into payments (docs/reconciliation.md).

- `import_statement` reads the file off the event loop and keeps each credit once per
  organization (`INSERT ... ON CONFLICT DO NOTHING` on its key), so a statement imported twice,
  or two overlapping ones, add each credit once.
- `confirm` marks an open line matched with a conditional UPDATE (the first statement of its
  transaction: SQLite's write lock, a row lock on PostgreSQL), so of two confirmations of one
  line one wins and the other is a 409; the payment is recorded in the same transaction by
  `payments.service.apply`, so a refused payment leaves the line open.
- Suggestions are computed when lines are read, from the invoices as they are then.

The modules: importing.py (statements in), reading.py (what the screen shows, with the
suggestions), this one (deciding a line: confirm or ignore) and the re-exports other code uses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice import creditor_reference
from server.audit import service as audit
from server.audit.service import AuditKind
from server.core.errors import Conflict, NotFound
from server.invoices import service as invoices
from server.payments import service as payments
from server.reconciliation.importing import PayloadTooLarge, Upload, import_statement
from server.reconciliation.models import StatementLine
from server.reconciliation.reading import (
    IGNORED,
    MATCHED,
    OPEN,
    is_id,
    line_json,
    member_of,
    statement,
    statements,
)
from server.reconciliation.statements import MAX_BYTES, Mapping

__all__ = [
    "IGNORED",
    "MATCHED",
    "MAX_BYTES",
    "OPEN",
    "Mapping",
    "PayloadTooLarge",
    "Upload",
    "confirm",
    "ignore",
    "import_statement",
    "rf_reference",
    "statement",
    "statements",
]


async def confirm(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    line_id: str,
    invoice_id: str,
    ip: str | None,
) -> dict[str, Any]:
    """Record the line's credit as a payment of the invoice (by transfer, on the line's date,
    for its amount, with the bank's reference) and mark the line matched. 404 for a line or an
    invoice not of the caller's organization, 409 `already_matched` for a line matched
    before (or at the same moment), `currency_mismatch`, and payments' own 409s."""
    async with sessions() as db:
        line = await db.get(StatementLine, line_id) if is_id(line_id) else None
        if line is None:
            raise NotFound("no such statement line")
        await member_of(db, user_id, line.org_id, "statement line")
        found = await invoices.get_many(db, [invoice_id]) if is_id(invoice_id) else []
        if not found or found[0].org_id != line.org_id:
            raise NotFound("no such invoice")
        invoice = found[0]
        if line.state == MATCHED:
            raise Conflict("the line is already matched to a payment", code="already_matched")
        if invoice.currency != line.currency:
            raise Conflict(
                f"the credit is in {line.currency}, the invoice in {invoice.currency}",
                code="currency_mismatch",
            )
    now = datetime.now(UTC)
    payment_id: str | None = None
    async with sessions.begin() as db:
        # First statement of the transaction: takes the line (and SQLite's write lock) or not.
        taken = await db.execute(
            update(StatementLine)
            .where(StatementLine.id == line.id, StatementLine.state.in_((OPEN, IGNORED)))
            .values(state=MATCHED, invoice_id=invoice.id, decided_by=user_id, decided_at=now)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise Conflict("the line is already matched to a payment", code="already_matched")
        recorded = await payments.apply(
            db,
            invoice_id=invoice.id,
            org_id=line.org_id,
            entry=payments.Entry(
                kind=payments.Kind.PAYMENT,
                amount=line.amount,
                date=date.fromisoformat(line.booking_date),
                method=payments.Method.TRANSFER,
                reference=line.bank_reference or line.reference,
            ),
            actor_id=user_id,
            ip=ip,
        )
        payment_id = str(recorded["id"])
        await db.execute(
            update(StatementLine).where(StatementLine.id == line.id).values(payment_id=payment_id)
        )
        audit.record(
            db,
            AuditKind.STATEMENT_LINE_MATCHED,
            actor_id=user_id,
            ip=ip,
            org_id=line.org_id,
            target=f"invoice {invoice.id}",
            detail=(
                f"statement line {line.id} ({line.booking_date}, {line.amount} {line.currency}, "
                f"bank reference {line.bank_reference or '-'}) -> payment {payment_id}"
            ),
        )
    async with sessions() as db:
        stored = await db.get(StatementLine, line.id)
        assert stored is not None
        return {**line_json(stored, []), "payment": recorded}


async def ignore(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, line_id: str, ip: str | None
) -> dict[str, Any]:
    """Set an open line aside (a credit that pays no invoice: a refund from a supplier, a
    transfer between own accounts). 409 `already_matched` once matched."""
    async with sessions() as db:
        line = await db.get(StatementLine, line_id) if is_id(line_id) else None
        if line is None:
            raise NotFound("no such statement line")
        await member_of(db, user_id, line.org_id, "statement line")
    async with sessions.begin() as db:
        taken = await db.execute(
            update(StatementLine)
            .where(StatementLine.id == line.id, StatementLine.state == OPEN)
            .values(state=IGNORED, decided_by=user_id, decided_at=datetime.now(UTC))
        )
        stored = await db.get(StatementLine, line.id, populate_existing=True)
        assert stored is not None
        if getattr(taken, "rowcount", 0) != 1 and stored.state == MATCHED:
            raise Conflict("the line is already matched to a payment", code="already_matched")
        if getattr(taken, "rowcount", 0) == 1:
            audit.record(
                db,
                AuditKind.STATEMENT_LINE_IGNORED,
                actor_id=user_id,
                ip=ip,
                org_id=line.org_id,
                target=f"statement {line.statement_id}",
                detail=f"line {line.id} ({line.booking_date}, {line.amount} {line.currency})",
            )
        return line_json(stored, [])


def rf_reference(number: str) -> str | None:
    """The RF creditor reference printed on the invoice numbered `number` (None when the
    number cannot make one), for the other features (the payment page)."""
    try:
        return creditor_reference.make(number)
    except creditor_reference.NoReference:
        return None
