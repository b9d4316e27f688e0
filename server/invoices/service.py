"""Invoices: creation, access and reading the live document as JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.history import Entry, page
from collab.invoice.validation import evaluate
from collab.sync import RoomRegistry
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import (
    Capability,
    Member,
    acting_member,
    can,
    membership,
    memberships,
    users_by_id,
)
from server.core import changes
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound
from server.events import service as events
from server.invoices.boards import BoardRow as BoardRow  # for the board
from server.invoices.boards import board_ids as board_ids
from server.invoices.boards import board_rows as board_rows
from server.invoices.boards import orgs_of as orgs_of
from server.invoices.content import add_lines as add_lines  # for the time-entry import
from server.invoices.content import reset_content as reset_content  # for the workflow
from server.invoices.content import write_content as write_content
from server.invoices.documents import document_json as document_json  # for other features
from server.invoices.documents import read_document as read_document  # for other features
from server.invoices.history import document_at, in_thread, log_rows, replay_timeline
from server.invoices.models import Invoice as Invoice  # the row, for other features' types
from server.invoices.reporting import org_invoice_ids as org_invoice_ids  # for the reports
from server.invoices.reporting import org_invoices as org_invoices
from server.invoices.rooms import derived_columns

DISCARDED = "discarded"  # the status of a soft-deleted draft
INVOICE, CREDIT_NOTE = "invoice", "credit_note"  # the kinds of invoice (EN 16931 380 and 381)


@dataclass(frozen=True, slots=True)
class InvoiceAccess:
    invoice: Invoice
    member: Member

    def can(self, capability: Capability) -> bool:
        return self.member.can(capability)  # narrowed by an API token (auth grants)


def _valid_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def access(db: AsyncSession, *, user_id: str, invoice_id: str) -> InvoiceAccess:
    """The invoice and the caller's role in its organization.

    Unknown ids and invoices of organizations the user is not in are the same 404, so ids of
    other tenants cannot be probed.
    """
    invoice = await db.get(Invoice, invoice_id) if _valid_uuid(invoice_id) else None
    member = await membership(db, user_id, invoice.org_id) if invoice else None
    if invoice is None or member is None or not member.can(Capability.INVOICE_READ):
        raise NotFound("no such invoice")
    return InvoiceAccess(invoice, member)


async def create_invoice(
    db: AsyncSession,
    *,
    user_id: str,
    org_id: str | None,
    kind: str = INVOICE,
    capability: Capability = Capability.INVOICE_CREATE,
    facts: dict[str, Any] | None = None,
) -> Invoice:
    """A new draft of `kind`; a credit note (server/credit_notes) needs its own capability.
    Its `invoice.created` event is emitted in the caller's transaction, with `facts` (customer
    name, currency, gross) when the caller already knows the content it is about to write."""
    member = await acting_member(
        db, user_id, org_id, capability, f"create {kind.replace('_', ' ')}s"
    )
    invoice = Invoice(
        id=str(uuid.uuid4()),
        org_id=member.org_id,
        created_by=user_id,
        status="draft",
        kind=kind,
        created_at=datetime.now(UTC),
    )
    db.add(invoice)
    await db.flush()
    await events.emit(
        db,
        org_id=invoice.org_id,
        type=events.EventType.INVOICE_CREATED,
        data=events.invoice_data(invoice) | (facts or {}),
        actor_id=user_id,
    )
    changes.after_commit(db, invoice.org_id, invoice.id)
    return invoice


@dataclass(frozen=True, slots=True)
class InvoiceQuery:
    """Filters, order and page of an invoice listing (GET /api/invoices)."""

    org_id: str | None = None
    statuses: tuple[str, ...] = ()
    search: str | None = None  # in the customer's name, case-insensitive
    due_before: str | None = None
    due_after: str | None = None
    sort: str = "-created_at"
    limit: int = 50
    offset: int = 0


SORTABLE = {
    "created_at": Invoice.created_at,
    "updated_at": Invoice.updated_at,
    "due_date": Invoice.due_date,
    "issue_date": Invoice.issue_date,
    "gross": Invoice.gross_value,
    "customer": Invoice.customer_name,
    "status": Invoice.status,
}


async def listed_orgs(db: AsyncSession, *, user_id: str, org_id: str | None) -> list[str]:
    """The organizations whose invoices the user may list: all they may read, or just
    `org_id` among them."""
    org_ids = [
        m.org_id for m in await memberships(db, user_id) if can(m.role, Capability.INVOICE_READ)
    ]
    return org_ids if org_id is None else [org for org in org_ids if org == org_id]


async def list_invoices(
    db: AsyncSession, *, org_ids: list[str], query: InvoiceQuery
) -> tuple[list[Invoice], int]:
    """One page of the invoices of `org_ids` (from `listed_orgs`), and how many match."""
    conditions: list[ColumnElement[bool]] = [Invoice.org_id.in_(org_ids)]
    if query.statuses:
        conditions.append(Invoice.status.in_(query.statuses))
    else:  # a discarded draft is soft-deleted: listed only when asked for by its status
        conditions.append(Invoice.status != DISCARDED)
    if query.search:
        escaped = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(Invoice.customer_name).like(f"%{escaped}%", escape="\\"))
    if query.due_before:
        conditions.append(Invoice.due_date <= query.due_before)
    if query.due_after:
        conditions.append(Invoice.due_date >= query.due_after)
    column = SORTABLE[query.sort.lstrip("-")]
    order = column.desc() if query.sort.startswith("-") else column.asc()
    total = await db.scalar(select(func.count()).select_from(Invoice).where(*conditions))
    rows = await db.scalars(
        select(Invoice)
        .where(*conditions)
        .order_by(order.nulls_last(), Invoice.id)
        .limit(query.limit)
        .offset(query.offset)
    )
    return list(rows), int(total or 0)


async def set_state(
    db: AsyncSession,
    *,
    invoice_id: str,
    status: str,
    number: str | None = None,
    document: dict[str, Any] | None = None,
    issue_date: str | None = None,
) -> None:
    """Set the invoice's status (and its legal number, when given) in the caller's transaction:
    the workflow's only way to write this feature's table. With the `document` being frozen, the
    summary columns are written from it now, not by the debounced recorder, so that the list and
    the credited amounts read the final totals the moment the transaction commits."""
    values: dict[str, Any] = {"status": status}
    if number is not None:
        values["number"] = number
    if document is not None:
        values |= derived_columns(document, evaluate(document))
    if issue_date is not None:
        values["issue_date"] = issue_date
    await db.execute(update(Invoice).where(Invoice.id == invoice_id).values(**values))


async def get(db: AsyncSession, invoice_id: str) -> Invoice:
    """An invoice the caller already knows exists (no access check: callers made it)."""
    found = await db.get(Invoice, invoice_id)
    assert found is not None, invoice_id
    return found


async def get_many(db: AsyncSession, invoice_ids: list[str]) -> list[Invoice]:
    """The invoices of `invoice_ids` (no access check: callers made it)."""
    return list(await db.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids))))


async def lock_invoice(db: AsyncSession, invoice_id: str) -> Invoice:
    """The invoice row, locked until the caller's transaction ends (FOR UPDATE on PostgreSQL;
    SQLite has one writer anyway): what orders the credit notes of one invoice."""
    query = select(Invoice).where(Invoice.id == invoice_id).with_for_update()
    return (await db.scalars(query.execution_options(populate_existing=True))).one()


async def statuses(
    db: AsyncSession, *, org_id: str, invoice_ids: list[str]
) -> list[tuple[str, str]]:
    """(id, status) of those of `invoice_ids` that belong to the organization."""
    rows = await db.execute(
        select(Invoice.id, Invoice.status).where(
            Invoice.id.in_(invoice_ids), Invoice.org_id == org_id
        )
    )
    return [(invoice_id, status) for invoice_id, status in rows.all()]


def facts_of(document: dict[str, Any]) -> dict[str, Any]:
    """A document's customer name, currency and gross, as its events tell them (the table's
    columns may lag behind the live document by the recorder's debounce). CPU: off the loop."""
    columns = derived_columns(document, evaluate(document))
    return {key: columns[key] for key in ("customer_name", "currency", "gross")}


def summary(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "org_id": invoice.org_id,
        "status": invoice.status,
        "kind": invoice.kind,
        "number": invoice.number,
        "created_by": invoice.created_by,
        "created_at": invoice.created_at.isoformat(),
        "updated_at": invoice.updated_at.isoformat() if invoice.updated_at else None,
        "customer_name": invoice.customer_name,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "totals": {"net": invoice.net, "tax": invoice.tax, "gross": invoice.gross},
        "line_count": invoice.line_count,
        "issue_count": invoice.issue_count,
    }


def detail(invoice: Invoice, document: dict[str, Any]) -> dict[str, Any]:
    """The invoice with its document content, server-computed totals and validation."""
    evaluation = evaluate(document)
    totals: dict[str, Any] | None = None
    if evaluation.totals is not None:
        computed = evaluation.totals
        totals = {
            "currency": computed["currency"],
            "net": computed["net"],
            "tax": computed["tax"],
            "gross": computed["gross"],
            "due": computed["due"],
            "line_total": computed["line_total"],
            "document_discount": computed["document_discount"],
            "allowances": computed["allowances"],
            "charges": computed["charges"],
            "tax_breakdown": computed["tax_breakdown"],
            "adjustments": {
                adjustment["id"]: adjustment["amount"]
                for adjustment in [
                    *computed["adjustments"],
                    *(item for line in computed["lines"] for item in line["adjustments"]),
                ]
            },
            "line_nets": {
                line_id: line["net"]
                for line_id, line in zip(evaluation.counted, computed["lines"], strict=True)
            },
            "complete": evaluation.complete,
        }
    return {
        **summary(invoice),
        **document,
        "totals": totals,
        "validation": [issue.to_json() for issue in evaluation.issues],
    }


# -- history and restore (docs/history.md) ----------------------------------------------------

# How long a history request waits for the room's queued updates to be durable, so that the
# timeline includes the last keystrokes (a few ms normally; storage trouble must not hang it).
_FLUSH_WAIT_SECONDS = 2.0


async def history(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    invoice_id: str,
    before: int | None,
    limit: int,
) -> dict[str, Any]:
    """One page of the invoice's timeline, newest first, replayed from its update log."""
    async with sessions() as db:
        found = await access(db, user_id=user_id, invoice_id=invoice_id)
    if registry.get(found.invoice.id) is not None:
        await registry.persister.flush(_FLUSH_WAIT_SECONDS, doc_id=found.invoice.id)
    async with sessions() as db:
        rows = await log_rows(db, found.invoice.id)
    entries, replayed = await in_thread(partial(replay_timeline, rows))
    chosen, cursor = page(entries, before=before, limit=limit)
    async with sessions() as db:
        users = await users_by_id(db, {e.author for e in chosen if e.author is not None})
    names = {user_id: user.name for user_id, user in users.items()}
    return {
        "items": [_entry_json(entry, names) for entry in chosen],
        "next_before": cursor,
        "replayed": replayed,
    }


def _entry_json(entry: Entry, names: dict[str, str]) -> dict[str, Any]:
    author = entry.author
    return {
        "path": entry.path,
        "kind": entry.kind.value,
        "before": entry.before,
        "after": entry.after,
        "author": None if author is None else {"id": author, "name": names.get(author, author)},
        "at": datetime.fromtimestamp(entry.at, UTC).isoformat(),
        "first_at": datetime.fromtimestamp(entry.first_at, UTC).isoformat(),
        "seq": entry.seq,
        "first_seq": entry.first_seq,
        "updates": entry.updates,
    }


async def restore(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    invoice_id: str,
    seq: int,
    ip: str | None,
) -> dict[str, Any]:
    """Give a draft the content it had after update `seq`, as a new change of `user_id`'s
    made through the live room: every open client converges to it, history is kept."""
    async with sessions() as db:
        found = await access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.INVOICE_EDIT):
            raise Forbidden("only editors can restore a version")
        if found.invoice.status != "draft":
            raise Conflict(f"the invoice is {found.invoice.status}: only drafts can be restored")
        rows = await log_rows(db, found.invoice.id, through=seq)
    if not rows or rows[-1].seq != seq:
        raise BadRequest(f"update {seq} is not in this invoice's history")
    target = await in_thread(partial(document_at, rows))
    new_seq = await write_content(registry, found.invoice.id, target, user_id=user_id)
    async with sessions.begin() as db:
        audit.record(
            db,
            AuditKind.INVOICE_RESTORED,
            actor_id=user_id,
            ip=ip,
            org_id=found.invoice.org_id,
            target=f"invoice {found.invoice.id}",
            detail=f"to update {seq}"
            + (f" by update {new_seq}" if new_seq is not None else ", unchanged"),
        )
    return {"restored": seq, "seq": new_seq}
