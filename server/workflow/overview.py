"""What the browser shows of an invoice's workflow: its state, and the actions this caller may
take now, answered by the same `decide()` as the transitions (GET /api/invoices/{id}/workflow).

The offer applies what depends on people and settings (the role, four-eyes, the admin
threshold, "never submitted" for discard); what depends on the content (validity, the bound
hashes, what a credit note may credit) is checked when the action is taken, and its refusal
says why. So a button is never shown to someone the server would refuse for who they are.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.workflow import Action, Context, Role, State, decide
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.organization import service as organization
from server.workflow.models import WorkflowState
from server.workflow.settings import Settings, read_settings

# Offered beside the transitions: making a credit note (POST /api/invoices/{id}/credit-notes).
CREDIT_NOTE = "credit_note"
# Stands for "whatever the content is": the content rules are the POST's to apply.
_ANY_CONTENT = "content"


def offered(
    state: State, role: Role, *, actor: str, invoice: invoices.Invoice, row: WorkflowState | None,
    settings: Settings,
) -> list[Action]:  # fmt: skip
    """The actions `decide` would let this caller take if the content were right."""
    threshold = settings.admin_threshold
    amount: Decimal | None = None
    if threshold is not None and invoice.currency == threshold.currency:
        amount = Decimal(invoice.gross_value)
    context = Context(
        actor=actor,
        creator=invoice.created_by,
        version=row.version if row else 0,
        four_eyes=settings.four_eyes,
        amount=amount,
        admin_threshold=threshold.amount if threshold else None,
        reason="-",
        ever_submitted=bool(row and row.ever_submitted),
        content_hash=_ANY_CONTENT,
        submitted_hash=_ANY_CONTENT,
        approved_hash=_ANY_CONTENT,
    )
    return [a for a in Action if decide(state, a, role, context).allowed]


async def overview(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> dict[str, Any]:
    """The invoice's workflow state, the caller's actions, the number an issue would take and,
    for a credit note, the invoice it credits."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        invoice = found.invoice
        row = await db.get(WorkflowState, invoice.id)
        settings = await read_settings(db, invoice.org_id)
        actions = offered(
            State(invoice.status),
            Role(found.member.role.value),
            actor=user_id,
            invoice=invoice,
            row=row,
            settings=settings,
        )
        link = await credit_notes.link(db, invoice.id)
        offer = [a.value for a in actions]
        if await credit_notes.may_credit(db, found):
            offer.append(CREDIT_NOTE)
        next_number = None
        if Action.ISSUE in actions:
            next_number = await _next_number(db, invoice, credit_note=link is not None)
    return {
        "id": invoice.id,
        "status": invoice.status,
        "kind": invoice.kind,
        "number": invoice.number,
        "version": row.version if row else 0,
        "assignee_id": row.assignee_id if row else None,
        "issue_date": row.issue_date if row else None,
        "issued_at": row.issued_at.isoformat() if row and row.issued_at else None,
        "approved_by": row.approved_by if row else None,
        "seller": row.seller if row else None,
        "ever_submitted": bool(row and row.ever_submitted),
        "actions": offer,
        "next_number": next_number,
        "credits": None
        if link is None
        else {
            "id": link.original_id,
            "number": link.original_number,
            "issue_date": link.original_issue_date,
        },
    }


async def _next_number(
    db: AsyncSession, invoice: invoices.Invoice, *, credit_note: bool
) -> str | None:
    """The number an issue now would take, on the invoice's issue date or else today (another
    issue may take it first)."""
    kind = organization.SeriesKind.CREDIT_NOTE if credit_note else organization.SeriesKind.INVOICE
    on = datetime.now(UTC).date()
    with contextlib.suppress(ValueError):
        on = date.fromisoformat(invoice.issue_date or "")
    series = await organization.list_series(db, org_id=invoice.org_id, today=on)
    return next(s.next_number(on) for s in series if s.kind is kind)
