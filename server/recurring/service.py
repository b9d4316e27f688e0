"""Recurring invoices: schedules made from an invoice, and a draft each period, exactly once
(docs/recurring.md).

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
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.recurrence import (
    LAST,
    Day,
    Frequency,
    Period,
    Rule,
    due,
    upcoming,
)
from collab.invoice.workflow import Action
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, can, membership
from server.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.organization import service as organization
from server.recurring.drafts import draft_content, is_empty
from server.recurring.models import Run, Schedule
from server.workflow import service as workflow

SWEEP, PERIOD, FILL = "recurring.sweep", "recurring.period", "recurring.fill"
ACTIVE, PAUSED, FINISHED = "active", "paused", "finished"
DRAFT_MODE, SUBMIT_MODE = "draft", "submit"
PENDING, DRAFT, SUBMITTED, REFUSED, SKIPPED = "pending", "draft", "submitted", "refused", "skipped"
# Periods one sweep queues per schedule: a schedule started long ago catches up over a few
# days' sweeps rather than in one transaction of unbounded size.
MAX_CATCH_UP: Final = 60
NEXT_RUNS: Final = 3
# Dates a schedule may name: far enough for any contract, near enough that no arithmetic
# reaches the calendar's end.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """What a schedule's owner chooses (the request body, checked)."""

    frequency: Frequency
    day: Day
    start: date
    end: date | None
    count: int | None
    mode: str


def rule_of(row: Schedule) -> Rule:
    day: Day = LAST if row.day == LAST else int(row.day)
    return Rule(
        Frequency(row.frequency),
        day,
        date.fromisoformat(row.start_date),
        date.fromisoformat(row.end_date) if row.end_date else None,
        row.count,
    )


def _checked(terms: Terms) -> Rule:
    for name, value in (("start", terms.start), ("end", terms.end)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise BadRequest(f"`{name}` must be between {EARLIEST} and {LATEST}")
    if terms.end is not None and terms.end < terms.start:
        raise BadRequest("`end` must be on or after `start`")
    return Rule(terms.frequency, terms.day, terms.start, terms.end, terms.count)


def _since(row: Schedule) -> date:
    """The first run date not queued yet, nor skipped by a pause or an edit."""
    since = date.fromisoformat(row.resume_from)
    if row.queued_through is not None:
        since = max(since, date.fromisoformat(row.queued_through) + timedelta(days=1))
    return since


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


# -- the schedules, as the API sees them -------------------------------------------------------


async def create(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    terms: Terms,
    ip: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A schedule making drafts from the invoice `invoice_id`, owned by the caller; the periods
    already due (a start in the past) are queued at once."""
    rule = _checked(terms)
    async with sessions.begin() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.INVOICE_CREATE):
            raise Forbidden(f"a {found.member.role} cannot make recurring invoices")
        template = found.invoice
        if template.kind != invoices.INVOICE or template.status == invoices.DISCARDED:
            raise Conflict(
                f"a {'discarded invoice' if template.kind == invoices.INVOICE else 'credit note'}"
                " cannot be the template of a schedule",
                code="not_a_template",
            )
        row = Schedule(
            id=str(uuid.uuid4()),
            org_id=template.org_id,
            template_id=template.id,
            owner_id=user_id,
            frequency=rule.frequency.value,
            day=str(rule.day),
            start_date=rule.start.isoformat(),
            end_date=rule.end.isoformat() if rule.end else None,
            count=rule.count,
            mode=terms.mode,
            status=ACTIVE,
            resume_from=rule.start.isoformat(),
            queued_through=None,
            created_at=now,
            updated_at=now,
        )
        db.add(row)
        await db.flush()
        audit.record(
            db,
            AuditKind.RECURRING_CREATED,
            actor_id=user_id,
            ip=ip,
            org_id=row.org_id,
            target=f"schedule {row.id}",
            detail=f"from invoice {template.id}: {_describe(row)}",
        )
        await queue_due(db, now=now, schedule_ids=[row.id])
        answer = schedule_json(row, today=now.date(), made=0)
    jobs.nudge()
    return answer


async def listing(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, org_id: str, now: datetime
) -> list[dict[str, Any]]:
    """The organization's schedules, newest first, with their next runs."""
    async with sessions() as db:
        member = await membership(db, user_id, org_id)
        if member is None or not can(member.role, Capability.INVOICE_READ):
            raise NotFound("no such organization")
        rows = list(
            await db.scalars(
                select(Schedule)
                .where(Schedule.org_id == org_id)
                .order_by(Schedule.created_at.desc(), Schedule.id)
            )
        )
        made = await _made(db, [row.id for row in rows])
    return [schedule_json(row, today=now.date(), made=made.get(row.id, 0)) for row in rows]


async def read(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, schedule_id: str, now: datetime
) -> dict[str, Any]:
    async with sessions() as db:
        row = await _schedule(db, user_id=user_id, schedule_id=schedule_id)
        made = await _made(db, [row.id])
    return schedule_json(row, today=now.date(), made=made.get(row.id, 0))


async def change(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    schedule_id: str,
    changes: dict[str, Any],
    ip: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Edit a schedule's terms, pause or resume it. An edit and a resume apply from today:
    periods that ran before (made, or skipped while paused) stay as they are."""
    today = now.date()
    async with sessions.begin() as db:
        row = await _schedule(
            db, user_id=user_id, schedule_id=schedule_id, capability=Capability.INVOICE_CREATE
        )
        before = _describe(row)
        was = row.status
        current = rule_of(row)
        terms = Terms(
            frequency=Frequency(changes.get("frequency", current.frequency)),
            day=changes.get("day", current.day),
            start=current.start,
            end=changes.get("end", current.end),
            count=changes.get("count", current.count),
            mode=changes.get("mode", row.mode),
        )
        rule = _checked(terms)
        ruled = rule != current
        row.frequency, row.day = rule.frequency.value, str(rule.day)
        row.end_date = rule.end.isoformat() if rule.end else None
        row.count, row.mode = rule.count, terms.mode
        row.status = changes.get("status", row.status)
        if ruled or (was == PAUSED and row.status == ACTIVE):
            row.resume_from = max(date.fromisoformat(row.resume_from), today).isoformat()
        row.updated_at = now
        after = _describe(row)
        if after != before:
            audit.record(
                db,
                AuditKind.RECURRING_CHANGED,
                actor_id=user_id,
                ip=ip,
                org_id=row.org_id,
                target=f"schedule {row.id}",
                detail=f"{before} -> {after}",
            )
        await db.flush()
        await queue_due(db, now=now, schedule_ids=[row.id])
        made = await _made(db, [row.id])
        answer = schedule_json(row, today=today, made=made.get(row.id, 0))
    jobs.nudge()
    return answer


async def made_by(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, schedule_id: str
) -> list[dict[str, Any]]:
    """What the schedule made, period by period (newest first), with each draft's state."""
    async with sessions() as db:
        row = await _schedule(db, user_id=user_id, schedule_id=schedule_id)
        runs = list(
            await db.scalars(
                select(Run).where(Run.schedule_id == row.id).order_by(Run.period_start.desc())
            )
        )
        ids = [run.invoice_id for run in runs if run.invoice_id]
        states = {invoice.id: invoice.status for invoice in await invoices.get_many(db, ids)}
    return [
        {
            "period_start": run.period_start,
            "period_end": run.period_end,
            "run_date": run.run_date,
            "invoice_id": run.invoice_id,
            "invoice_status": states.get(run.invoice_id) if run.invoice_id else None,
            "outcome": run.outcome,
            "reason": run.reason,
            "created_at": run.created_at.isoformat(),
        }
        for run in runs
    ]


async def _schedule(
    db: AsyncSession,
    *,
    user_id: str,
    schedule_id: str,
    capability: Capability = Capability.INVOICE_READ,
) -> Schedule:
    """The schedule if the caller may read it (else 404, as for an unknown id) and has
    `capability` in its organization (else 403)."""
    row = await db.get(Schedule, schedule_id) if _uuid(schedule_id) else None
    member = await membership(db, user_id, row.org_id) if row is not None else None
    if row is None or member is None or not can(member.role, Capability.INVOICE_READ):
        raise NotFound("no such schedule")
    if not can(member.role, capability):
        raise Forbidden(f"a {member.role} cannot change recurring invoices")
    return row


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _made(db: AsyncSession, schedule_ids: list[str]) -> dict[str, int]:
    rows = await db.execute(
        select(Run.schedule_id, Run.invoice_id).where(Run.schedule_id.in_(schedule_ids))
    )
    counts: dict[str, int] = {}
    for schedule_id, invoice_id in rows.all():
        if invoice_id is not None:
            counts[schedule_id] = counts.get(schedule_id, 0) + 1
    return counts


def _describe(row: Schedule) -> str:
    bound = f", until {row.end_date}" if row.end_date else ""
    bound += f", {row.count} period(s)" if row.count else ""
    return (
        f"{row.status} {row.frequency} on day {row.day} from {row.start_date}{bound}, "
        f"mode {row.mode}"
    )


def schedule_json(row: Schedule, *, today: date, made: int) -> dict[str, Any]:
    rule = rule_of(row)
    coming = upcoming(rule, since=max(_since(row), today), limit=NEXT_RUNS)
    status = FINISHED if not upcoming(rule, since=_since(row), limit=1) else row.status
    return {
        "id": row.id,
        "org_id": row.org_id,
        "template_id": row.template_id,
        "owner_id": row.owner_id,
        "frequency": row.frequency,
        "day": rule.day,
        "start": row.start_date,
        "end": row.end_date,
        "count": row.count,
        "mode": row.mode,
        "status": status,
        "made": made,
        "next_runs": [] if status != ACTIVE else [_period_json(p) for p in coming],
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _period_json(each: Period) -> dict[str, str]:
    return {
        "run_date": each.run_date.isoformat(),
        "period_start": each.start.isoformat(),
        "period_end": each.end.isoformat(),
    }


# -- the sweep and the jobs --------------------------------------------------------------------


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
        found = due(rule_of(row), since=_since(row), until=now.date(), limit=MAX_CATCH_UP)
        for each in found:
            queued += await jobs.enqueue(
                db,
                kind=PERIOD,
                key=f"recurring:{row.id}:{each.start.isoformat()}",
                payload={"schedule_id": row.id, "index": each.index, **_period_json(each)},
                org_id=row.org_id,
                run_at=_midnight(each.run_date),
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


async def _queue_sweep(db: AsyncSession, day: date, *, run_at: datetime) -> None:
    await jobs.enqueue(db, kind=SWEEP, key=f"recurring-sweep:{day.isoformat()}", run_at=run_at)


async def sweep(ctx: jobs.Context) -> None:
    """The daily sweep's job: queue what is due, then tomorrow's sweep."""
    await queue_due(ctx.db, now=ctx.now)
    tomorrow = ctx.now.date() + timedelta(days=1)
    await _queue_sweep(ctx.db, tomorrow, run_at=_midnight(tomorrow))


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
