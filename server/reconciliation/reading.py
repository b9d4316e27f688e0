"""What the reconciliation screen reads: the organization's imports, one import with its lines,
each open line with the invoices it may pay (docs/reconciliation.md); the lines' states and the
access check the other reconciliation modules share.

Separate from importing and deciding (importing.py, service.py): reading writes nothing, and
suggestions are computed here, when lines are read, from the invoices as they are then.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.service import Capability, acting_member
from server.core.errors import NotFound
from server.invoices import service as invoices
from server.payments import service as payments
from server.reconciliation.matching import Match, OpenInvoice, match
from server.reconciliation.models import BankStatement, StatementLine

OPEN, MATCHED, IGNORED = "open", "matched", "ignored"

_OPEN_STATUSES: Final = frozenset({"issued", "partially_paid"})
ACTION: Final = "reconcile bank statements"


async def member_of(db: AsyncSession, user_id: str, org_id: str, what: str) -> None:
    """The caller may reconcile the organization's statements; anything of an organization the
    caller is not in is the same 404 as an unknown id."""
    try:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, ACTION)
    except NotFound:
        raise NotFound(f"no such {what}") from None


async def statements(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, org_id: str
) -> dict[str, Any]:
    """The organization's imports, newest first, and every line still open with its
    suggestions: what the reconciliation screen shows."""
    async with sessions() as db:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, ACTION)
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
        "open_lines": [line_json(line, open_invoices) for line in lines],
    }


async def statement(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, statement_id: str
) -> dict[str, Any]:
    """One import with the lines it brought, their state and, while open, their suggestions."""
    async with sessions() as db:
        row = await db.get(BankStatement, statement_id) if is_id(statement_id) else None
        if row is None:
            raise NotFound("no such statement")
        await member_of(db, user_id, row.org_id, "statement")
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
        "lines": [line_json(line, open_invoices) for line in lines],
    }


def is_id(value: str) -> bool:
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
    rows = [
        row
        for row in await invoices.org_invoices(db, org_id)
        if row.kind == invoices.INVOICE and row.status in _OPEN_STATUSES and row.number
    ]
    owed = await payments.balances(db, rows)
    return [
        OpenInvoice(
            id=row.id,
            number=row.number or "",
            customer=row.customer_name or "",
            currency=row.currency,
            outstanding=owed[row.id].outstanding,
        )
        for row in rows
    ]


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


def line_json(line: StatementLine, open_invoices: list[OpenInvoice]) -> dict[str, Any]:
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
