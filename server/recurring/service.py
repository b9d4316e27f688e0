"""Recurring invoices: schedules made from an invoice, and a draft each period, exactly once
(docs/recurring.md).

The API's operations on schedules live here; a schedule's terms and how it reads in terms.py;
the sweep and the jobs that make each period's draft, exactly once, in runs.py. Everything the
rest of the server uses is importable from here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.recurrence import Frequency
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, can, membership
from server.core.errors import Conflict, Forbidden, NotFound
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.recurring.models import Run, Schedule
from server.recurring.runs import (
    fill,
    make_draft,
    queue_due,
    queue_today,
    register_jobs,
    start,
    sweep,
)
from server.recurring.terms import (
    ACTIVE,
    DRAFT,
    DRAFT_MODE,
    EARLIEST,
    FILL,
    FINISHED,
    LATEST,
    MAX_CATCH_UP,
    NEXT_RUNS,
    PAUSED,
    PENDING,
    PERIOD,
    REFUSED,
    SKIPPED,
    SUBMIT_MODE,
    SUBMITTED,
    SWEEP,
    Terms,
    checked,
    describe,
    rule_of,
    schedule_json,
)

__all__ = [
    "ACTIVE",
    "DRAFT",
    "DRAFT_MODE",
    "EARLIEST",
    "FILL",
    "FINISHED",
    "LATEST",
    "MAX_CATCH_UP",
    "NEXT_RUNS",
    "PAUSED",
    "PENDING",
    "PERIOD",
    "REFUSED",
    "SKIPPED",
    "SUBMITTED",
    "SUBMIT_MODE",
    "SWEEP",
    "Terms",
    "change",
    "create",
    "fill",
    "listing",
    "made_by",
    "make_draft",
    "queue_due",
    "queue_today",
    "read",
    "register_jobs",
    "rule_of",
    "schedule_json",
    "start",
    "sweep",
]


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
    rule = checked(terms)
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
            detail=f"from invoice {template.id}: {describe(row)}",
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
        before = describe(row)
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
        rule = checked(terms)
        ruled = rule != current
        row.frequency, row.day = rule.frequency.value, str(rule.day)
        row.end_date = rule.end.isoformat() if rule.end else None
        row.count, row.mode = rule.count, terms.mode
        row.status = changes.get("status", row.status)
        if ruled or (was == PAUSED and row.status == ACTIVE):
            row.resume_from = max(date.fromisoformat(row.resume_from), today).isoformat()
        row.updated_at = now
        after = describe(row)
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
    if not member.can(capability):
        raise Forbidden(member.refusal(capability, "change recurring invoices"))
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
