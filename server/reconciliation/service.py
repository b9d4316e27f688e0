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
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice import creditor_reference
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member
from server.core.errors import ApiError, BadRequest, Conflict, NotFound
from server.invoices import service as invoices
from server.payments import service as payments
from server.reconciliation.matching import Match, OpenInvoice, match
from server.reconciliation.models import BankStatement, StatementLine
from server.reconciliation.statements import (
    MAX_BYTES,
    Mapping,
    Statement,
    StatementError,
    read_camt053,
    read_csv,
)

__all__ = [
    "MAX_BYTES",
    "Mapping",
    "Upload",
    "confirm",
    "ignore",
    "import_statement",
    "rf_reference",
    "statement",
    "statements",
]

OPEN, MATCHED, IGNORED = "open", "matched", "ignored"


class PayloadTooLarge(ApiError):
    status = 413


_OPEN_STATUSES: Final = frozenset({"issued", "partially_paid"})
_ACTION: Final = "reconcile bank statements"


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """A statement as sent: the body and how to read it (`mapping` for CSV only)."""

    format: str  # "camt.053" or "csv"
    body: bytes
    mapping: Mapping | None = None


def _read(upload: Upload) -> Statement:
    if upload.format == "csv":
        if upload.mapping is None:
            raise StatementError("a CSV statement needs its column mapping", code="bad_mapping")
        return read_csv(upload.body, upload.mapping)
    return read_camt053(upload.body)


async def import_statement(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str,
    upload: Upload,
    ip: str | None,
) -> dict[str, Any]:
    """Import a statement into the organization: its credits not seen before become open
    lines; the statement with its lines and their suggestions. 404 for an organization the
    caller is not in, 403 without `payment.manage`, 400 for a file that cannot be read."""
    async with sessions() as db:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, _ACTION)
    if len(upload.body) > MAX_BYTES:  # the body limit cuts first; this guards other callers
        raise PayloadTooLarge(f"request body above {MAX_BYTES} bytes")
    try:
        parsed = await asyncio.to_thread(_read, upload)
    except StatementError as error:
        raise BadRequest(error.message, code=error.code) from None
    now = datetime.now(UTC)
    statement_id = str(uuid.uuid4())
    async with sessions.begin() as db:
        db.add(
            BankStatement(
                id=statement_id,
                org_id=org_id,
                format=parsed.format,
                bank_id=(parsed.bank_id or "")[:35] or None,
                account=(parsed.account or "")[:34] or None,
                added=0,
                known=0,
                debits=parsed.debits,
                imported_by=user_id,
                imported_at=now,
            )
        )
        await db.flush()
        insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        added = 0
        for credit in parsed.credits:
            result = await db.execute(
                insert(StatementLine)
                .values(
                    id=str(uuid.uuid4()),
                    org_id=org_id,
                    statement_id=statement_id,
                    position=credit.position,
                    key=credit.key,
                    booking_date=credit.booking_date.isoformat(),
                    amount=payments.text(credit.amount, credit.currency),
                    currency=credit.currency,
                    reference=credit.reference,
                    structured=credit.structured,
                    debtor=credit.debtor,
                    bank_reference=credit.bank_reference,
                    state=OPEN,
                )
                .on_conflict_do_nothing(index_elements=["org_id", "key"])
            )
            added += max(getattr(result, "rowcount", 0) or 0, 0)
        row = await db.get(BankStatement, statement_id)
        assert row is not None
        row.added, row.known = added, len(parsed.credits) - added
        audit.record(
            db,
            AuditKind.STATEMENT_IMPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"statement {statement_id}",
            detail=(
                f"{parsed.format} {parsed.bank_id or '(no id)'} of {parsed.account or '?'}: "
                f"{added} credits added, {row.known} already imported, "
                f"{parsed.debits} debits or pending entries skipped"
            ),
        )
    return await statement(sessions, user_id=user_id, statement_id=statement_id)


async def _member_of(db: AsyncSession, user_id: str, org_id: str, what: str) -> None:
    """The caller may reconcile the organization's statements; anything of an organization the
    caller is not in is the same 404 as an unknown id."""
    try:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, _ACTION)
    except NotFound:
        raise NotFound(f"no such {what}") from None


async def statements(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, org_id: str
) -> dict[str, Any]:
    """The organization's imports, newest first, and every line still open with its
    suggestions: what the reconciliation screen shows."""
    async with sessions() as db:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, _ACTION)
        rows = list(
            await db.scalars(
                select(BankStatement)
                .where(BankStatement.org_id == org_id)
                .order_by(BankStatement.imported_at.desc(), BankStatement.id)
                .limit(500)
            )
        )
        counts = await _state_counts(db, [row.id for row in rows])
        lines = list(
            await db.scalars(
                select(StatementLine)
                .where(StatementLine.org_id == org_id, StatementLine.state == OPEN)
                .order_by(StatementLine.booking_date, StatementLine.position)
                .limit(2000)
            )
        )
        open_invoices = await _open_invoices(db, org_id) if lines else []
    return {
        "org_id": org_id,
        "statements": [_statement_json(row, counts.get(row.id, {})) for row in rows],
        "open_lines": [_line_json(line, open_invoices) for line in lines],
    }


async def statement(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, statement_id: str
) -> dict[str, Any]:
    """One import with the lines it brought, their state and, while open, their suggestions."""
    async with sessions() as db:
        row = await db.get(BankStatement, statement_id) if _is_id(statement_id) else None
        if row is None:
            raise NotFound("no such statement")
        await _member_of(db, user_id, row.org_id, "statement")
        lines = list(
            await db.scalars(
                select(StatementLine)
                .where(StatementLine.statement_id == row.id)
                .order_by(StatementLine.position)
            )
        )
        counts = await _state_counts(db, [row.id])
        needed = any(line.state == OPEN for line in lines)
        open_invoices = await _open_invoices(db, row.org_id) if needed else []
    return {
        **_statement_json(row, counts.get(row.id, {})),
        "lines": [_line_json(line, open_invoices) for line in lines],
    }


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
        line = await db.get(StatementLine, line_id) if _is_id(line_id) else None
        if line is None:
            raise NotFound("no such statement line")
        await _member_of(db, user_id, line.org_id, "statement line")
        found = await invoices.get_many(db, [invoice_id]) if _is_id(invoice_id) else []
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
        return {**_line_json(stored, []), "payment": recorded}


async def ignore(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, line_id: str, ip: str | None
) -> dict[str, Any]:
    """Set an open line aside (a credit that pays no invoice: a refund from a supplier, a
    transfer between own accounts). 409 `already_matched` once matched."""
    async with sessions() as db:
        line = await db.get(StatementLine, line_id) if _is_id(line_id) else None
        if line is None:
            raise NotFound("no such statement line")
        await _member_of(db, user_id, line.org_id, "statement line")
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
        return _line_json(stored, [])


# -- reading ------------------------------------------------------------------------------------


def _is_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _state_counts(db: AsyncSession, ids: list[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    if not ids:
        return counts
    query = (
        select(StatementLine.statement_id, StatementLine.state, func.count())
        .where(StatementLine.statement_id.in_(ids))
        .group_by(StatementLine.statement_id, StatementLine.state)
    )
    for statement_id, state, count in await db.execute(query):
        counts.setdefault(statement_id, {})[state] = count
    return counts


async def _open_invoices(db: AsyncSession, org_id: str) -> list[OpenInvoice]:
    """The organization's invoices a credit may pay, with what each still asks for."""
    found: list[OpenInvoice] = []
    for row in await invoices.org_invoices(db, org_id):
        if row.kind != invoices.INVOICE or row.status not in _OPEN_STATUSES or not row.number:
            continue
        balance = await payments.balance(db, row)
        found.append(
            OpenInvoice(
                id=row.id,
                number=row.number,
                customer=row.customer_name or "",
                currency=row.currency,
                outstanding=balance.outstanding,
            )
        )
    return found


def _statement_json(row: BankStatement, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "org_id": row.org_id,
        "format": row.format,
        "bank_id": row.bank_id,
        "account": row.account,
        "added": row.added,
        "known": row.known,
        "debits": row.debits,
        "imported_by": row.imported_by,
        "imported_at": row.imported_at.isoformat(),
        "counts": {state: counts.get(state, 0) for state in (OPEN, MATCHED, IGNORED)},
    }


def _line_json(line: StatementLine, open_invoices: list[OpenInvoice]) -> dict[str, Any]:
    found: Match | None = None
    if line.state == OPEN:
        found = match(
            amount=Decimal(line.amount),
            currency=line.currency,
            reference=line.reference,
            debtor=line.debtor,
            invoices=open_invoices,
        )
    return {
        "id": line.id,
        "statement_id": line.statement_id,
        "booking_date": line.booking_date,
        "amount": line.amount,
        "currency": line.currency,
        "reference": line.reference,
        "structured": line.structured,
        "debtor": line.debtor,
        "bank_reference": line.bank_reference,
        "state": line.state,
        "invoice_id": line.invoice_id,
        "payment_id": line.payment_id,
        "decided_by": line.decided_by,
        "decided_at": line.decided_at.isoformat() if line.decided_at else None,
        "match": found.verdict.value if found else None,
        "suggestions": [
            {
                "invoice_id": s.invoice.id,
                "number": s.invoice.number,
                "customer": s.invoice.customer,
                "outstanding": payments.text(s.invoice.outstanding, s.invoice.currency),
                "currency": s.invoice.currency,
                "rf_reference": s.invoice.reference,
                "basis": s.basis.value,
            }
            for s in (found.suggestions if found else ())
        ],
    }


def rf_reference(number: str) -> str | None:
    """The RF creditor reference printed on the invoice numbered `number` (None when the
    number cannot make one), for the other features (the payment page)."""
    try:
        return creditor_reference.make(number)
    except creditor_reference.NoReference:
        return None
