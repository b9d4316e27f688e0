"""The receivables: what each customer of an organization owes on its issued invoices, and
the part of it past due, per currency (docs/payments.md).

Separate from recording payments (service.py): a read over every open invoice of the
organization, whose documents go through the money engine off the event loop.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.service import Capability, acting_member
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.payments.balances import due_of
from server.payments.models import PaymentAccount
from server.payments.rules import OWED, owed, text
from server.workflow import service as workflow


async def receivables(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str | None,
    today: date | None = None,
) -> dict[str, Any]:
    """What each customer of the caller's organization owes on its issued invoices, and the
    part of it past due (as the board derives overdue), per currency, the most owed first."""
    async with sessions() as db:
        member = await acting_member(
            db, user_id, org_id, Capability.INVOICE_READ, "read the receivables"
        )
        org = member.org_id
        open_rows = [
            row
            for row in await invoices.org_invoices(db, org)
            if row.kind == invoices.INVOICE and row.status in OWED
        ]
        ids = [row.id for row in open_rows]
        documents = await workflow.workflow_facts(db, invoices.org_invoice_ids(org))
        credits = await credit_notes.credits_among(db, invoices.org_invoice_ids(org))
        accounts = {
            account.invoice_id: account
            for account in await db.scalars(
                select(PaymentAccount).where(PaymentAccount.invoice_id.in_(ids))
            )
        }
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for original, gross in credits.values():
        if gross is not None:
            credited[original] += gross
    facts = [
        _Open(
            row.id,
            row.customer_name or "",
            row.customer_vat_id,
            row.currency,
            row.due_date,
            row.gross,
            documents.get(row.id, (None, None))[1],
            credited.get(row.id, Decimal(0)),
            accounts.get(row.id),
        )
        for row in open_rows
    ]
    day = today or datetime.now(UTC).date()
    # Each open invoice's issued document goes through the money engine: off the event loop.
    rows = await asyncio.to_thread(_receivables, facts, day)
    return {"org_id": org, "as_of": day.isoformat(), "customers": rows}


@dataclass(frozen=True, slots=True)
class _Open:
    id: str
    customer: str
    vat_id: str | None
    currency: str
    due_date: str | None
    gross: str
    document: Mapping[str, Any] | None
    credited: Decimal
    account: PaymentAccount | None


def _receivables(facts: list[_Open], today: date) -> list[dict[str, Any]]:
    owed_by: dict[tuple[str, str], dict[str, Any]] = {}
    for fact in facts:
        document = dict(fact.document) if fact.document else None
        due = owed(due_of(document, fact.gross), [fact.credited])
        paid = Decimal(0)
        if fact.account is not None:
            paid = Decimal(fact.account.payments) - Decimal(fact.account.refunds)
        outstanding = max(due - paid, Decimal(0))
        if outstanding <= 0:
            continue
        key = (fact.vat_id or f"name:{fact.customer}", fact.currency)
        row = owed_by.setdefault(
            key,
            {
                "customer": fact.customer,
                "vat_id": fact.vat_id,
                "currency": fact.currency,
                "outstanding": Decimal(0),
                "overdue": Decimal(0),
                "invoices": 0,
                "overdue_invoices": 0,
            },
        )
        row["outstanding"] += outstanding
        row["invoices"] += 1
        if _late(fact.due_date, today):
            row["overdue"] += outstanding
            row["overdue_invoices"] += 1
    ordered = sorted(
        owed_by.values(), key=lambda r: (-r["outstanding"], r["customer"], r["currency"])
    )
    return [
        {
            **row,
            "outstanding": text(row["outstanding"], row["currency"]),
            "overdue": text(row["overdue"], row["currency"]),
        }
        for row in ordered
    ]


def _late(due_date: str | None, today: date) -> bool:
    """Past its due date (UTC), as the board's overdue column (server/board/cards.py)."""
    if not due_date:
        return False
    try:
        return date.fromisoformat(due_date[:10]) < today
    except ValueError:
        return False
