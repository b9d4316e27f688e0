"""The workflow row of an invoice, created if missing and locked until the transaction ends:
what orders transitions and hand-set assignees of one invoice across requests and processes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.workflow.models import WorkflowState


async def lock_row(db: AsyncSession, invoice_id: str) -> WorkflowState:
    """The invoice's workflow row, created if missing, locked until the transaction ends (the
    INSERT takes SQLite's write lock; on PostgreSQL the row is then read FOR UPDATE)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        insert(WorkflowState)
        .values(invoice_id=invoice_id, version=0, ever_submitted=False)
        .on_conflict_do_nothing()
    )
    query = select(WorkflowState).where(WorkflowState.invoice_id == invoice_id).with_for_update()
    return (await db.scalars(query.execution_options(populate_existing=True))).one()
