"""The invoices of an organization as the reports read them (server/reports): every row, in
one query, with the ids as a query other features filter their own tables with (no parameter
list of thousands of ids)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.invoices.models import Invoice


def org_invoice_ids(org_id: str) -> Select[Any]:
    return select(Invoice.id).where(Invoice.org_id == org_id)


async def org_invoices(db: AsyncSession, org_id: str) -> list[Invoice]:
    """Every invoice and credit note of the organization, discarded drafts included."""
    query = select(Invoice).where(Invoice.org_id == org_id).order_by(Invoice.created_at)
    return list(await db.scalars(query))
