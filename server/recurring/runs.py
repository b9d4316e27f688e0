"""The sweep and the jobs that make a draft each period, exactly once (docs/recurring.md).

How a period becomes one draft, whatever crashes, restarts or runs twice:

1. The sweep (`queue_due`) queues a job per due period, keyed `recurring:{schedule}:{period
   start}`: the jobs' unique key makes a period one job, however many sweeps see it due. It
   runs as a job of its own (`recurring.sweep`) that queues the next day's sweep, so it has
   the jobs' leases, retries and injected clock; each process queues today's at start.
2. The period's job (`make_draft`) creates the draft and its `Run` row (unique per schedule and
   period, the second guard) in the job's transaction: they commit with "done" or not at all.
   It queues the fill job in that transaction.
3. The fill job (`fill`) writes the content through the live room as the owner's change (the
   way credit notes and imports write theirs), then, for a schedule in mode `submit`, submits
   the draft through the workflow as the owner. It is at least once, and harmless to repeat:
   the content is written only into a draft still empty, and is the same each time.

Steps 2 and 3 are two jobs because the room loads the invoice row in another session: the
row must be committed before its content can be written.

Separate from the API's operations on schedules (service.py): these run as background jobs,
with the jobs' leases, retries and injected clock.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.recurrence import Period, due
from collab.invoice.workflow import Action
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.core.errors import ApiError
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.organization import service as organization
from server.recurring.drafts import draft_content, is_empty
from server.recurring.models import Run, Schedule
from server.recurring.terms import (
    ACTIVE,
    DRAFT,
    FILL,
    MAX_CATCH_UP,
    PENDING,
    PERIOD,
    REFUSED,
    SKIPPED,
    SUBMIT_MODE,
    SUBMITTED,
    SWEEP,
    midnight,
    period_json,
    rule_of,
    since_of,
)
from server.workflow import service as workflow


async def queue_due(
    db: AsyncSession, *, now: datetime, schedule_ids: list[str] | None = None
) -> int:
    """Queue a job for each period due by `now`'s date and not queued yet, of every active
    schedule (or those of `schedule_ids`), in `db`'s transaction; how many were new."""
    query = select(Schedule).where(Schedule.status == ACTIVE).order_by(Schedule.id)
    if schedule_ids is not None:
        query = query.where(Schedule.id.in_(schedule_ids))
    queued = 0
    for row in list(await db.scalars(query)):
        found = due(rule_of(row), since=since_of(row), until=now.date(), limit=MAX_CATCH_UP)
        for each in found:
            queued += await jobs.enqueue(
                db,
                kind=PERIOD,
                key=f"recurring:{row.id}:{each.start.isoformat()}",
                payload={"schedule_id": row.id, "index": each.index, **period_json(each)},
                org_id=row.org_id,
                run_at=midnight(each.run_date),
            )
        if found:
            row.queued_through = found[-1].run_date.isoformat()
    return queued


async def start(sessions: async_sessionmaker[AsyncSession], *, now: datetime) -> None:
    """Queue today's sweep (nothing if it was queued already): each process does at start, so
    a chain of daily sweeps broken by a long outage resumes."""
    async with sessions.begin() as db:
        await _queue_sweep(db, now.date(), run_at=now)
    jobs.nudge()


async def queue_today(db: AsyncSession, now: datetime) -> bool:
    """Today's sweep, for the hourly clock (server/jobs/clock.py): a chain of daily sweeps
    broken by a sweep that died resumes the next day, not at the next restart."""
    return await _queue_sweep(db, now.date(), run_at=now)


async def _queue_sweep(db: AsyncSession, day: date, *, run_at: datetime) -> bool:
    key = f"recurring-sweep:{day.isoformat()}"
    return await jobs.enqueue(db, kind=SWEEP, key=key, run_at=run_at)


async def sweep(ctx: jobs.Context) -> None:
    """The daily sweep's job: queue what is due, then tomorrow's sweep."""
    await queue_due(ctx.db, now=ctx.now)
    tomorrow = ctx.now.date() + timedelta(days=1)
    await _queue_sweep(ctx.db, tomorrow, run_at=midnight(tomorrow))


async def make_draft(ctx: jobs.Context) -> None:
    """A period's job: the draft and its run, in the job's transaction (once per period)."""
    row = await ctx.db.get(Schedule, ctx.payload["schedule_id"])
    if row is None:
        raise jobs.Permanent("the schedule is gone")
    if row.status != ACTIVE:
        return  # paused after the sweep queued it: a paused period is not made
    period_start = ctx.payload["period_start"]
    made = await ctx.db.scalar(
        select(Run.id).where(Run.schedule_id == row.id, Run.period_start == period_start)
    )
    if made is not None:
        return
    run = Run(
        id=str(uuid.uuid4()),
        schedule_id=row.id,
        period_start=period_start,
        period_end=ctx.payload["period_end"],
        run_date=ctx.payload["run_date"],
        outcome=PENDING,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    try:
        invoice = await invoices.create_invoice(ctx.db, user_id=row.owner_id, org_id=row.org_id)
    except ApiError as exc:  # the owner left, or may no longer create invoices
        run.outcome, run.reason = SKIPPED, f"the schedule's owner cannot create it: {exc.message}"
        ctx.db.add(run)
        audit.record(
            ctx.db,
            AuditKind.RECURRING_SKIPPED,
            actor_id=None,
            ip=None,
            org_id=row.org_id,
            target=f"schedule {row.id}",
            detail=f"period {period_start}: {run.reason}",
        )
        return
    run.invoice_id = invoice.id
    ctx.db.add(run)
    audit.record(
        ctx.db,
        AuditKind.RECURRING_DRAFT,
        actor_id=row.owner_id,
        ip=None,
        org_id=row.org_id,
        target=f"invoice {invoice.id}",
        detail=f"schedule {row.id}, period {period_start} to {run.period_end}, "
        f"from invoice {row.template_id}",
    )
    await jobs.enqueue(
        ctx.db,
        kind=FILL,
        key=f"recurring-fill:{run.id}",
        payload={"run_id": run.id},
        org_id=row.org_id,
        run_at=ctx.now,
    )
    jobs.nudge()


async def fill(
    ctx: jobs.Context,
    *,
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
) -> None:
    """A period's second job: the content, then (mode submit) the submission. Everything that
    writes elsewhere (the room's log, the workflow's transaction) comes before this job's own
    writes: on SQLite a transaction holding the write lock would make them wait."""
    run = await ctx.db.get(Run, ctx.payload["run_id"])
    if run is None or run.invoice_id is None:
        raise jobs.Permanent("the run is gone")
    if run.outcome != PENDING:
        return
    row = await ctx.db.get(Schedule, run.schedule_id)
    assert row is not None
    invoice = await invoices.get(ctx.db, run.invoice_id)
    outcome, reason = DRAFT, None
    if invoice.status == "draft":
        current = await invoices.read_document(registry, store, invoice.id)
        if is_empty(current):  # not written yet (a retry finds it written, or someone's edits)
            content = await _content(ctx.db, registry, store, row, run)
            await invoices.write_content(registry, invoice.id, content, user_id=row.owner_id)
        if row.mode == SUBMIT_MODE:
            submit = workflow.Request(
                user_id=row.owner_id, invoice_id=invoice.id, action=Action.SUBMIT
            )
            try:
                await workflow.transition(sessions, registry, store, submit)
                outcome = SUBMITTED
            except ApiError as exc:
                outcome, reason = REFUSED, _refusal(exc)
    elif row.mode == SUBMIT_MODE and invoice.status != invoices.DISCARDED:
        outcome = SUBMITTED  # by an attempt whose job record was lost with its process
    run.outcome, run.reason, run.updated_at = outcome, reason, ctx.now


async def _content(
    db: AsyncSession, registry: RoomRegistry, store: UpdateStore, row: Schedule, run: Run
) -> dict[str, Any]:
    template = await invoices.get(db, row.template_id)
    document = await invoices.read_document(registry, store, template.id)
    seller = await organization.profile(db, row.org_id)
    french = seller is not None and seller.address.country == "FR"
    span = Period(
        0,
        date.fromisoformat(run.run_date),
        date.fromisoformat(run.period_start),
        date.fromisoformat(run.period_end),
    )
    return draft_content(
        document,
        each=span,
        run_id=run.id,
        language="fr" if french else "en",
        template_issue_date=template.issue_date,
        default_delay=seller.payment_days if seller is not None else None,
    )


def _refusal(exc: ApiError) -> str:
    fields = ", ".join(path for path, _ in exc.details or [])
    return f"{exc.message} ({fields})" if fields else exc.message


def register_jobs(
    sessions: async_sessionmaker[AsyncSession] | None,
    registry: RoomRegistry | None = None,
    store: UpdateStore | None = None,
) -> None:
    """This process runs the recurring jobs (the app's lifespan); None: it no longer does."""
    if sessions is None or registry is None or store is None:
        for kind in (SWEEP, PERIOD, FILL):
            jobs.register(kind, None)
        return
    jobs.register(SWEEP, sweep)
    jobs.register(PERIOD, make_draft)
    jobs.register(FILL, partial(fill, sessions=sessions, registry=registry, store=store))
