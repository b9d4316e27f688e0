"""invoice.overdue (server/events): a daily sweep, queued by the hourly clock
(server/jobs/clock.py), finds the issued invoices still owed whose due date has passed and
queues one job per invoice, keyed by the invoice alone: however many days it stays overdue and
however many processes sweep, the event is emitted once per invoice. The job looks again when
it runs (paid since: nothing) and emits in its own transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.events import service as events
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.payments.balances import balance
from server.payments.rules import OWED, text

OVERDUE_SWEEP: Final = "payments.overdue_sweep"
OVERDUE: Final = "payments.overdue"


async def queue_overdue(db: AsyncSession, now: datetime) -> bool:
    """The hourly clock's queue: one sweep per day across every process."""
    day = now.date().isoformat()
    return await jobs.enqueue(
        db, kind=OVERDUE_SWEEP, key=f"{OVERDUE_SWEEP}:{day}", payload={"day": day}
    )


def _past(due_date: str | None, today: date) -> bool:
    try:
        return due_date is not None and date.fromisoformat(due_date) < today
    except ValueError:  # a due date the document holds but that is not a date
        return False


async def sweep_overdue(ctx: jobs.Context) -> None:
    today = date.fromisoformat(str(ctx.payload["day"]))
    row = invoices.Invoice
    rows = await ctx.db.execute(
        select(row.id, row.org_id, row.due_date).where(
            row.status.in_(OWED),
            row.kind == invoices.INVOICE,
            row.due_date < today.isoformat(),  # ISO dates order as strings; checked below
        )
    )
    for invoice_id, org_id, due_date in rows.all():
        if _past(due_date, today):
            await jobs.enqueue(
                ctx.db,
                kind=OVERDUE,
                key=f"invoice.overdue:{invoice_id}",
                org_id=org_id,
                payload={"invoice_id": invoice_id, "day": today.isoformat()},
            )


async def emit_overdue(ctx: jobs.Context) -> None:
    invoice = await invoices.get(ctx.db, str(ctx.payload["invoice_id"]))
    if invoice.status not in OWED:
        return  # paid or credited since the sweep
    owed = await balance(ctx.db, invoice)
    if owed.outstanding <= 0:
        return
    data = events.invoice_data(
        invoice,
        due_date=invoice.due_date,
        outstanding=text(owed.outstanding, invoice.currency),
    )
    await events.emit(
        ctx.db, org_id=invoice.org_id, type=events.EventType.INVOICE_OVERDUE, data=data
    )
