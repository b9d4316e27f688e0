"""The invoices of an organization as the manager's board reads them: only the summary
columns, in one query, for thousands of invoices (server/board)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.invoices.models import Invoice

# Not on the board: a cancelled invoice is settled by its credit note, a discarded draft is gone.
OFF_BOARD = ("cancelled", "discarded")

BOARD_COLUMNS = (
    Invoice.id,
    Invoice.number,
    Invoice.kind,
    Invoice.status,
    Invoice.customer_name,
    Invoice.customer_vat_id,
    Invoice.gross,
    Invoice.currency,
    Invoice.due_date,
    Invoice.issue_date,
    Invoice.created_at,
    Invoice.updated_at,
)


class BoardRow(NamedTuple):
    """One invoice's summary columns (`BOARD_COLUMNS`, in order): a plain tuple, because a
    board reads thousands and SQLAlchemy's rows are slow to read by name."""

    id: str
    number: str | None
    kind: str
    status: str
    customer_name: str | None
    customer_vat_id: str | None
    gross: str
    currency: str
    due_date: str | None
    issue_date: str | None
    created_at: datetime
    updated_at: datetime | None


def board_ids(org_id: str, invoice_ids: Collection[str] | None = None) -> Select[str]:
    """The ids of the organization's invoices on the board (of `invoice_ids`, when given), as
    a query other features can filter their own tables with."""
    query = select(Invoice.id).where(Invoice.org_id == org_id, Invoice.status.not_in(OFF_BOARD))
    return query if invoice_ids is None else query.where(Invoice.id.in_(list(invoice_ids)))


async def board_rows(
    db: AsyncSession, org_id: str, invoice_ids: Collection[str] | None = None
) -> list[BoardRow]:
    """The summary columns of the organization's invoices on the board, or of those of
    `invoice_ids` that are."""
    query = select(*BOARD_COLUMNS).where(Invoice.org_id == org_id, Invoice.status.not_in(OFF_BOARD))
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(list(invoice_ids)))
    # On the connection, not the session: plain rows, no ORM loading machinery per row.
    result = await (await db.connection()).execute(query)
    return [BoardRow._make(row) for row in result.tuples()]


async def orgs_of(db: AsyncSession, invoice_ids: Collection[str]) -> dict[str, str]:
    """The organization of each of `invoice_ids` that exists."""
    rows = await db.execute(
        select(Invoice.id, Invoice.org_id).where(Invoice.id.in_(list(invoice_ids)))
    )
    return {invoice_id: org_id for invoice_id, org_id in rows.all()}
