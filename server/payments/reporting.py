"""The payments of an organization as the accounting export reads them: each payment and
refund that moved money in a period, with the invoice it settles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.payments.models import Payment


@dataclass(frozen=True, slots=True)
class Moved:
    """A payment or refund (`kind`), `amount` a positive decimal string in `currency`."""

    id: str
    invoice_id: str
    kind: str
    amount: str
    currency: str
    date: str
    reference: str | None
    recorded_at: datetime


async def moved_between(db: AsyncSession, org_id: str, start: str, end: str) -> list[Moved]:
    """Payments and refunds of the organization dated `start` to `end` (ISO, included)."""
    rows = await db.scalars(
        select(Payment)
        .where(Payment.org_id == org_id, Payment.date >= start, Payment.date <= end)
        .order_by(Payment.date, Payment.id)
    )
    return [
        Moved(p.id, p.invoice_id, p.kind, p.amount, p.currency, p.date, p.reference, p.recorded_at)
        for p in rows
    ]
