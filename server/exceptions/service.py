"""Invoice exceptions (issue 14): open one on an invoice, route it to its category's expert,
discuss it in its own thread, resolve it; the organization's log; what reminders and the board
ask (`dispute_open`, `open_by_invoice`).

Who may do what (SPEC section 1 roles, `server.auth.permissions`):
- read an invoice's exceptions, their threads and the log: every member (`invoice.read`:
  viewers read the board and reports, which show them);
- open one: editors, approvers, accountants and admins (`exception.open`: those who act on
  invoices; a reviewer raises a doubt as a comment);
- write in its thread: whoever may comment (`invoice.comment`);
- resolve it: the expert it was routed to, or an admin (always: admins are where unrouted
  exceptions go, and they stand in for an expert who is away).
Every change is audited in its transaction. Another organization's ids are 404, like unknown ones.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.records import CATEGORIES, ExceptionRecord, month_of
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, Role, require
from server.core.errors import Conflict, Forbidden, NotFound
from server.events import service as events
from server.exceptions import experts as routing
from server.exceptions.experts import Experts as Experts
from server.exceptions.models import ExceptionComment, InvoiceException
from server.exceptions.views import exception_json, thread_json
from server.invoices import service as invoices

log = logging.getLogger(__name__)

OPEN, RESOLVED = "open", "resolved"
DISPUTE = "dispute"
MAX_OPEN_PER_INVOICE = 20  # open at once: more is noise on the card, not more information
MAX_COMMENTS = 500  # per exception's thread
MAX_LOG_ITEMS = 1000  # exceptions listed by the log (its counts cover every one)


@dataclass(frozen=True, slots=True)
class LogQuery:
    start: date | None = None
    end: date | None = None
    category: str | None = None
    status: str | None = None


async def _invoice(db: AsyncSession, user_id: str, invoice_id: str) -> invoices.InvoiceAccess:
    return await invoices.access(db, user_id=user_id, invoice_id=invoice_id)


async def _find(
    db: AsyncSession, user_id: str, exception_id: str
) -> tuple[InvoiceException, invoices.InvoiceAccess]:
    """The exception and the caller's access to its invoice; unknown or another tenant's: 404."""
    row = await db.get(InvoiceException, exception_id) if _is_uuid(exception_id) else None
    try:
        found = await _invoice(db, user_id, row.invoice_id) if row else None
    except NotFound:
        found = None
    if row is None or found is None:
        raise NotFound("no such exception")
    return row, found


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _board_changed(org_id: str, invoice_id: str) -> None:
    """Tell the board (server/board, built alongside) that an invoice's exceptions changed.
    Absent or failing, the exception stands: the board catches up on its next snapshot."""
    try:
        from server.board import service as board
    except ImportError:
        return
    hook = getattr(board, "invoice_changed", None)
    if hook is None:
        return
    try:
        result = hook(org_id, invoice_id)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("the board's invoice_changed hook failed")


async def open_exception(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    category: str,
    note: str,
    ip: str | None,
) -> dict[str, Any]:
    async with sessions.begin() as db:
        found = await _invoice(db, user_id, invoice_id)
        if not found.can(Capability.EXCEPTION_OPEN):
            raise Forbidden(f"a {found.member.role} cannot open exceptions")
        if found.invoice.status == invoices.DISCARDED:
            raise Conflict("the invoice was discarded", code="discarded")
        opened = await db.scalar(
            select(func.count()).where(
                InvoiceException.invoice_id == invoice_id, InvoiceException.status == OPEN
            )
        )
        if (opened or 0) >= MAX_OPEN_PER_INVOICE:
            raise Conflict(f"an invoice has at most {MAX_OPEN_PER_INVOICE} open exceptions")
        org_id = found.invoice.org_id
        row = InvoiceException(
            id=str(uuid.uuid4()),
            org_id=org_id,
            invoice_id=invoice_id,
            category=category,
            note=note,
            status=OPEN,
            opened_by=user_id,
            opened_at=datetime.now(UTC),
            expert_id=await routing.route(db, org_id, category),
        )
        db.add(row)
        await _emit(db, row, events.EventType.EXCEPTION_OPENED, user_id)
        routed = row.expert_id or "the admins"
        audit.record(
            db,
            AuditKind.EXCEPTION_OPENED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"invoice {invoice_id}",
            detail=f"exception {row.id}: {category}, routed to {routed}",
        )
        await db.flush()
        [answer] = await exception_json(db, [row])
    await _board_changed(org_id, invoice_id)
    return answer


async def _emit(
    db: AsyncSession, row: InvoiceException, type_: events.EventType, actor_id: str
) -> None:
    """The domain event of an opening or a resolution, in its transaction (server/events)."""
    data = {
        "invoice_id": row.invoice_id,
        "exception_id": row.id,
        "category": row.category,
        "expert_id": row.expert_id,
        "summary": events.excerpt(row.note),
    }
    if row.resolution is not None:
        data["resolution"] = row.resolution
    await events.emit(db, org_id=row.org_id, type=type_, data=data, actor_id=actor_id)


async def of_invoice(db: AsyncSession, *, user_id: str, invoice_id: str) -> list[dict[str, Any]]:
    """The invoice's exceptions, open ones first, each group oldest first."""
    await _invoice(db, user_id, invoice_id)
    rows = await db.scalars(
        select(InvoiceException)
        .where(InvoiceException.invoice_id == invoice_id)
        .order_by(InvoiceException.status, InvoiceException.opened_at, InvoiceException.id)
    )
    return await exception_json(db, list(rows))


async def resolve(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    exception_id: str,
    resolution: str,
    ip: str | None,
) -> dict[str, Any]:
    async with sessions.begin() as db:
        row, found = await _find(db, user_id, exception_id)
        # found.can: an API token of the expert or an admin needs a scope with the capability.
        allowed = found.can(Capability.EXCEPTION_OPEN)
        if not (allowed and (row.expert_id == user_id or found.member.role is Role.ADMIN)):
            raise Forbidden("only the exception's expert or an admin can resolve it")
        if row.status != OPEN:
            raise Conflict("the exception is resolved already", code="resolved")
        row.status, row.resolution = RESOLVED, resolution
        row.resolved_by, row.resolved_at = user_id, datetime.now(UTC)
        await _emit(db, row, events.EventType.EXCEPTION_RESOLVED, user_id)
        audit.record(
            db,
            AuditKind.EXCEPTION_RESOLVED,
            actor_id=user_id,
            ip=ip,
            org_id=row.org_id,
            target=f"invoice {row.invoice_id}",
            detail=f"exception {row.id}: {row.category}",
        )
        await db.flush()
        [answer] = await exception_json(db, [row])
    await _board_changed(row.org_id, row.invoice_id)
    return answer


async def add_comment(
    db: AsyncSession, *, user_id: str, exception_id: str, body: str, ip: str | None
) -> dict[str, Any]:
    """A message in the exception's thread (open or resolved: a resolution can be discussed)."""
    row, found = await _find(db, user_id, exception_id)
    if not found.can(Capability.INVOICE_COMMENT):
        raise Forbidden(f"a {found.member.role} can read the thread but not write in it")
    count = await db.scalar(
        select(func.count()).where(ExceptionComment.exception_id == exception_id)
    )
    if (count or 0) >= MAX_COMMENTS:
        raise Conflict(f"an exception's thread holds at most {MAX_COMMENTS} comments")
    comment = ExceptionComment(
        id=str(uuid.uuid4()),
        exception_id=exception_id,
        author_id=user_id,
        body=body,
        created_at=datetime.now(UTC),
    )
    db.add(comment)
    audit.record(
        db,
        AuditKind.EXCEPTION_COMMENTED,
        actor_id=user_id,
        ip=ip,
        org_id=row.org_id,
        target=f"invoice {row.invoice_id}",
        detail=f"exception {row.id}: comment {comment.id}",
    )
    await db.flush()
    [answer] = await thread_json(db, [comment])
    return answer


async def comments(db: AsyncSession, *, user_id: str, exception_id: str) -> list[dict[str, Any]]:
    await _find(db, user_id, exception_id)
    rows = await db.scalars(
        select(ExceptionComment)
        .where(ExceptionComment.exception_id == exception_id)
        .order_by(ExceptionComment.created_at, ExceptionComment.id)
    )
    return await thread_json(db, list(rows))


async def experts(db: AsyncSession, *, user_id: str, org_id: str) -> Experts:
    await require(db, user_id=user_id, org_id=org_id, capability=Capability.ORG_SETTINGS)
    return await routing.read(db, org_id)


async def set_experts(
    db: AsyncSession, *, user_id: str, org_id: str, new: Experts, ip: str | None
) -> Experts:
    await require(db, user_id=user_id, org_id=org_id, capability=Capability.ORG_SETTINGS)
    return await routing.save(db, org_id=org_id, actor_id=user_id, ip=ip, new=new)


async def exception_log(
    db: AsyncSession, *, user_id: str, org_id: str, query: LogQuery
) -> dict[str, Any]:
    """The organization's exceptions opened in the period (newest first, at most
    MAX_LOG_ITEMS), and how many of each category were opened per month."""
    await require(db, user_id=user_id, org_id=org_id, capability=Capability.INVOICE_READ)
    select_rows = select(InvoiceException).where(InvoiceException.org_id == org_id)
    if query.category is not None:
        select_rows = select_rows.where(InvoiceException.category == query.category)
    if query.status is not None:
        select_rows = select_rows.where(InvoiceException.status == query.status)
    # The period in the query, on the (org_id, opened_at) index: UTC days, both ends included.
    if query.start is not None:
        start = datetime.combine(query.start, time.min, UTC)
        select_rows = select_rows.where(InvoiceException.opened_at >= start)
    if query.end is not None:
        after = datetime.combine(query.end + timedelta(days=1), time.min, UTC)
        select_rows = select_rows.where(InvoiceException.opened_at < after)
    ordered = select_rows.order_by(InvoiceException.opened_at.desc(), InvoiceException.id)
    rows = list(await db.scalars(ordered))
    return {
        "items": await exception_json(db, rows[:MAX_LOG_ITEMS]),
        "truncated": len(rows) > MAX_LOG_ITEMS,
        "months": monthly_counts(rows),
        "totals": {c: sum(1 for row in rows if row.category == c) for c in CATEGORIES},
    }


def monthly_counts(rows: Sequence[InvoiceException]) -> list[dict[str, Any]]:
    """Per month of opening (oldest first): the count of each category, zeros included."""
    months: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
    for row in rows:
        months[month_of(row.opened_at.astimezone(UTC).date())][row.category] += 1
    return [
        {"month": month, "counts": counts, "total": sum(counts.values())}
        for month, counts in sorted(months.items())
    ]


async def dispute_open(db: AsyncSession, invoice_id: str) -> bool:
    """True while the invoice has an open dispute: reminders (issue 16) pause."""
    found = await db.scalar(
        select(InvoiceException.id)
        .where(
            InvoiceException.invoice_id == invoice_id,
            InvoiceException.category == DISPUTE,
            InvoiceException.status == OPEN,
        )
        .limit(1)
    )
    return found is not None


async def open_by_invoice(db: AsyncSession, org_id: str) -> dict[str, list[dict[str, str]]]:
    """The organization's open exceptions per invoice, oldest first: the board's cards."""
    rows = await db.execute(
        select(InvoiceException.invoice_id, InvoiceException.id, InvoiceException.category)
        .where(InvoiceException.org_id == org_id, InvoiceException.status == OPEN)
        .order_by(InvoiceException.opened_at, InvoiceException.id)
    )
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for invoice_id, exception_id, category in rows:
        found[invoice_id].append({"id": exception_id, "category": category})
    return dict(found)


async def records(db: AsyncSession, org_id: str) -> list[ExceptionRecord]:
    """Every exception of the organization as the KPIs read them (no access check: the
    caller, server/reports, checked the organization)."""
    rows = await db.scalars(select(InvoiceException).where(InvoiceException.org_id == org_id))
    return [
        ExceptionRecord(r.id, r.invoice_id, r.category, r.opened_at, r.resolved_at) for r in rows
    ]


async def opened_by(db: AsyncSession, exception_id: str) -> str | None:
    """Who opened the exception (chat notifications tell them of its resolution); None when
    there is no such exception."""
    if not _is_uuid(exception_id):
        return None
    return await db.scalar(
        select(InvoiceException.opened_by).where(InvoiceException.id == exception_id)
    )
