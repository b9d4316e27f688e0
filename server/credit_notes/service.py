"""Credit notes: made from an issued invoice, moved through the same workflow, and counted
against the original when issued (docs/workflow.md, "Credit notes").

- `create` makes the draft: checks the right and the original's state, pre-fills the content
  (`collab.invoice.credit`) and writes it through the live room as the creator's change.
- The workflow asks `link` whether an invoice is a credit note, `left` what remains on its
  original, and calls `record_issue` in the issue's transaction: the credited amount is written
  there and the original is cancelled when nothing remains.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.credit import UnknownLines, credit_note_content, remaining
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability
from server.core.errors import BadRequest, Conflict, Forbidden
from server.credit_notes.models import CreditNote
from server.invoices import service as invoices

# The states of an invoice that can be credited: issued, whatever its payments.
CREDITABLE: Final = frozenset({"issued", "partially_paid", "paid"})
CANCELLED: Final = "cancelled"


@dataclass(frozen=True, slots=True)
class Link:
    """A credit note and the invoice it credits."""

    credit_note_id: str
    original_id: str
    original_number: str | None
    original_issue_date: str | None
    original_currency: str


async def link(db: AsyncSession, credit_note_id: str) -> Link | None:
    """The invoice a credit note credits; None for an invoice."""
    row = await db.get(CreditNote, credit_note_id)
    if row is None:
        return None
    original = await invoices.get(db, row.original_id)
    return Link(
        credit_note_id,
        row.original_id,
        original.number,
        original.issue_date,
        original.currency,
    )


async def left(db: AsyncSession, original_id: str) -> Decimal:
    """What remains to be credited on an issued invoice: its gross less its issued credit notes."""
    original = await invoices.get(db, original_id)
    return remaining(Decimal(original.gross), await _credited(db, original_id))


async def credits_among(
    db: AsyncSession, invoice_ids: Select[Any] | Sequence[str]
) -> dict[str, tuple[str, Decimal | None]]:
    """For the reports and the accounting export: each credit note among `invoice_ids` (a
    query of ids, or the ids), the invoice it credits and the gross it credited (None until
    it is issued)."""
    rows = await db.execute(
        select(CreditNote.credit_note_id, CreditNote.original_id, CreditNote.gross).where(
            CreditNote.credit_note_id.in_(invoice_ids)
        )
    )
    return {
        note: (original, None if gross is None else Decimal(gross))
        for note, original, gross in rows.all()
    }


async def _credited(db: AsyncSession, original_id: str) -> list[Decimal]:
    rows = await db.scalars(
        select(CreditNote.gross).where(
            CreditNote.original_id == original_id, CreditNote.gross.is_not(None)
        )
    )
    return [Decimal(gross) for gross in rows if gross is not None]


async def may_credit(db: AsyncSession, found: invoices.InvoiceAccess) -> bool:
    """Whether `create` would make a credit note of this invoice for this member (the whole
    invoice may still be refused once part of it was credited: chosen lines are not)."""
    original = found.invoice
    return (
        found.can(Capability.CREDIT_NOTE_CREATE)
        and original.kind == invoices.INVOICE
        and original.status in CREDITABLE
        and await left(db, original.id) > 0
    )


async def record_issue(
    db: AsyncSession,
    *,
    found: Link,
    gross: Decimal,
    actor_id: str,
    ip: str | None,
) -> Decimal:
    """In the issue's transaction (the caller checked `gross` fits, with the original locked):
    count the credit note against its original; cancel the original when nothing remains.
    What remains afterwards."""
    row = await db.get(CreditNote, found.credit_note_id)
    assert row is not None
    row.gross, row.issued_at = str(gross), datetime.now(UTC)
    await db.flush()
    after = await left(db, found.original_id)
    if after <= 0:
        original = await invoices.get(db, found.original_id)
        await invoices.set_state(db, invoice_id=found.original_id, status=CANCELLED)
        audit.record(
            db,
            AuditKind.INVOICE_CANCELLED,
            actor_id=actor_id,
            ip=ip,
            org_id=original.org_id,
            target=f"invoice {found.original_id}",
            detail=f"{original.status} -> {CANCELLED}: credited in full by {found.credit_note_id}",
        )
    return after


async def lock_original(db: AsyncSession, found: Link) -> None:
    """Order the issues of one invoice's credit notes across requests and processes."""
    await invoices.lock_invoice(db, found.original_id)


async def create(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
    line_ids: list[str] | None,
    ip: str | None,
) -> dict[str, Any]:
    """A credit-note draft for an issued invoice, pre-filled from it (every line, or the chosen
    ones); its summary and what could not be carried over (`warnings`)."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        original = found.invoice
        if not found.can(Capability.CREDIT_NOTE_CREATE):
            raise Forbidden(f"a {found.member.role} cannot make credit notes")
        if original.kind != invoices.INVOICE:
            raise Conflict(
                "a credit note is not credited: make an invoice instead", code="not_creditable"
            )
        if original.status not in CREDITABLE:
            raise Conflict(
                f"the invoice is {original.status}: only issued invoices are credited",
                code="not_creditable",
            )
        credited = await _credited(db, original.id)
        if remaining(Decimal(original.gross), credited) <= 0:
            raise Conflict("nothing remains to be credited on this invoice", code="nothing_remains")
        if line_ids is None and credited:
            raise Conflict(
                "part of the invoice was credited already: choose the lines to credit",
                code="partly_credited",
            )
    document = await invoices.read_document(registry, store, original.id)
    try:
        draft = credit_note_content(document, line_ids=line_ids, new_id=lambda: str(uuid.uuid4()))
    except UnknownLines as error:
        raise BadRequest(str(error), code="unknown_line") from None
    async with sessions.begin() as db:
        note = await invoices.create_invoice(
            db,
            user_id=user_id,
            org_id=original.org_id,
            kind=invoices.CREDIT_NOTE,
            capability=Capability.CREDIT_NOTE_CREATE,
        )
        db.add(CreditNote(credit_note_id=note.id, original_id=original.id, whole=line_ids is None))
        chosen = "every line" if line_ids is None else f"{len(draft.content['lines'])} line(s)"
        audit.record(
            db,
            AuditKind.CREDIT_NOTE_CREATED,
            actor_id=user_id,
            ip=ip,
            org_id=original.org_id,
            target=f"invoice {original.id}",
            detail=f"credit note {note.id} for {original.number}: {chosen}",
        )
    await invoices.write_content(registry, note.id, draft.content, user_id=user_id)
    async with sessions() as db:
        summary = invoices.summary(await invoices.get(db, note.id))
    warnings = []
    if draft.dropped_discount:
        warnings.append(
            "the invoice's amount discount, or its allowances and charges stated as amounts, "
            "were not carried over: they cannot be split between lines; enter what they credit "
            "by hand"
        )
    return {**summary, "credits": _original_json(original), "warnings": warnings}


def _original_json(original: invoices.Invoice) -> dict[str, Any]:
    return {"id": original.id, "number": original.number, "issue_date": original.issue_date}


async def overview(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> dict[str, Any]:
    """An invoice's credit notes and what remains to be credited; 404 as for reading it."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        original = found.invoice
        rows = list(
            await db.scalars(
                select(CreditNote)
                .where(CreditNote.original_id == original.id)
                .order_by(CreditNote.credit_note_id)
            )
        )
        notes = {n.id: n for n in await invoices.get_many(db, [r.credit_note_id for r in rows])}
    credited = [Decimal(row.gross) for row in rows if row.gross is not None]
    gross = Decimal(original.gross)
    items = sorted(
        (
            {
                "id": row.credit_note_id,
                "number": notes[row.credit_note_id].number,
                "status": notes[row.credit_note_id].status,
                "gross": row.gross or notes[row.credit_note_id].gross,
                "created_at": notes[row.credit_note_id].created_at.isoformat(),
            }
            for row in rows
        ),
        key=lambda item: str(item["created_at"]),
    )
    return {
        "currency": original.currency,
        "gross": str(gross),
        "credited": str(sum(credited, Decimal(0))),
        "remaining": str(remaining(gross, credited)),
        "items": items,
    }
