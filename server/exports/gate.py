"""What the exports know of an invoice before any file: its document type (BT-3, and the
invoice a credit note credits), and the EN 16931 gate every issue passes (registered by
server/core/app.py with the workflow, which cannot import the exports)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.en16931 import CREDIT_NOTE, sources_of
from server.credit_notes import service as credit_notes
from server.exports.checks import check_semantic, placed, semantic_of
from server.invoices import service as invoices
from server.organization import service as organization
from server.workflow import service as workflow


async def document_type(
    db: AsyncSession, *, invoice_id: str
) -> tuple[str | None, tuple[str, date] | None]:
    """BT-3 and BG-3 of an invoice: the one place the export learns what kind of document it is.

    For a credit note: "381" and the number and issue date of the invoice it credits (BT-25,
    BT-26), which win over anything its document says. For any other invoice: (None, None),
    so the mapping reads the type (380, 384 corrective, 386 prepayment) and the preceding
    invoice from the document itself (collab/invoice/invoice_type.py). The credit-notes
    feature knows which invoices are credit notes; `db` is the caller's session, for that.
    """
    link = await credit_notes.link(db, invoice_id)
    if link is None:
        return None, None
    preceding = None
    if link.original_number is not None and link.original_issue_date is not None:
        preceding = (link.original_number, date.fromisoformat(link.original_issue_date))
    return CREDIT_NOTE, preceding


async def issue_gate(
    sessions: async_sessionmaker[AsyncSession], check: workflow.IssueCheck
) -> list[tuple[str, str]]:
    """The EN 16931 gate of every issue (registered by server/core/app.py): the fatal findings
    of both syntaxes as (the field to fix or the XPath, "RULE: message"). Silent while the
    seller profile is incomplete: the workflow refuses that itself, naming the missing fields."""
    async with sessions() as db:
        invoice = await invoices.get(db, check.invoice_id)
        if await organization.issue_ready(db, invoice.org_id):
            return []
        profile = await organization.profile(db, invoice.org_id)
        assert profile is not None
        type_code, preceding = await document_type(db, invoice_id=invoice.id)
    semantic = semantic_of(
        check.document,
        number=None,
        issue_date=check.issue_date,
        seller=profile.as_dict(),
        type_code=type_code,
        preceding=preceding,
    )
    report = await check_semantic(semantic)
    return placed(report.fatal, sources_of(semantic))
