"""What an invoice asks for and what was paid on it: its `Balance`, from the issued document's
amount due, the credit notes and the invoice's account row (docs/payments.md).

Separate from recording (service.py) and the receivables (receivables.py), which both read
balances this way: the amount due is computed in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.validation import evaluate
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.payments.models import PaymentAccount
from server.payments.rules import Balance, owed
from server.workflow import service as workflow


async def _issued_document(db: AsyncSession, invoice_id: str) -> dict[str, Any] | None:
    stamp = await workflow.issued(db, invoice_id)
    return dict(stamp.document) if stamp and stamp.document else None


def due_of(document: dict[str, Any] | None, gross: str) -> Decimal:
    """What the money engine computes as due for an issued document; its gross when the
    document is missing (issued before it was kept, migration 0012) or cannot be evaluated."""
    if document is not None:
        totals = evaluate(document).totals
        if totals is not None:
            return Decimal(totals["due"])
    return Decimal(gross)


async def balance(db: AsyncSession, invoice: invoices.Invoice) -> Balance:
    """What an invoice asks for and what was paid on it (reminders, reconciliation)."""
    return await account_balance(db, invoice, await db.get(PaymentAccount, invoice.id))


async def balances(db: AsyncSession, found: Sequence[invoices.Invoice]) -> dict[str, Balance]:
    """The balances of many invoices (reconciliation's open invoices): the money engine's
    evaluation of every issued document in one worker thread, not on the event loop."""
    documents = [(await _issued_document(db, i.id), i.gross) for i in found]
    dues = await asyncio.to_thread(lambda: [due_of(doc, gross) for doc, gross in documents])
    return {
        invoice.id: await _with_due(db, invoice, due, await db.get(PaymentAccount, invoice.id))
        for invoice, due in zip(found, dues, strict=True)
    }


async def account_balance(
    db: AsyncSession, invoice: invoices.Invoice, account: PaymentAccount | None
) -> Balance:
    document = await _issued_document(db, invoice.id)
    # Evaluating a document is the money engine's whole pass: off the event loop.
    due = await asyncio.to_thread(due_of, document, invoice.gross)
    return await _with_due(db, invoice, due, account)


async def _with_due(
    db: AsyncSession,
    invoice: invoices.Invoice,
    document_due: Decimal,
    account: PaymentAccount | None,
) -> Balance:
    credited = Decimal(invoice.gross) - await credit_notes.left(db, invoice.id)
    due = owed(document_due, [credited])
    payments = Decimal(account.payments) if account else Decimal(0)
    refunds = Decimal(account.refunds) if account else Decimal(0)
    return Balance(invoice.currency, due, credited, payments, refunds)
