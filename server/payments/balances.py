"""What an invoice asks for and what was paid on it: its `Balance`, from the issued document's
amount due, the credit notes and the invoice's account row (docs/payments.md).

Separate from recording (service.py) and the receivables (receivables.py), which both read
balances this way: the amount due is computed in one place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.validation import evaluate
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.payments.models import PaymentAccount
from server.payments.rules import Balance, owed
from server.workflow import service as workflow


async def _document_due(db: AsyncSession, invoice: invoices.Invoice) -> Decimal:
    """The amount due (BT-115) of the invoice as issued, from its frozen document."""
    stamp = await workflow.issued(db, invoice.id)
    document = dict(stamp.document) if stamp and stamp.document else None
    return due_of(document, invoice.gross)


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


async def account_balance(
    db: AsyncSession, invoice: invoices.Invoice, account: PaymentAccount | None
) -> Balance:
    credited = Decimal(invoice.gross) - await credit_notes.left(db, invoice.id)
    due = owed(await _document_due(db, invoice), [credited])
    payments = Decimal(account.payments) if account else Decimal(0)
    refunds = Decimal(account.refunds) if account else Decimal(0)
    return Balance(invoice.currency, due, credited, payments, refunds)
