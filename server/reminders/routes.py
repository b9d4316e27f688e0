"""The reminder endpoints, thin handlers over server/reminders/service.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from collab.invoice.reminder_steps import Step, check_steps
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Caller, Capability, require
from server.catalog import service as catalog
from server.core.api import Ctx, client_ip, errors
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.reminders import service as reminders
from server.reminders.models import ReminderOptOut
from server.reminders.schemas import (
    ManualReminder,
    ReminderList,
    ReminderOut,
    SettingsIn,
    SettingsOut,
)

router = APIRouter(tags=["reminders"], responses=errors(401))


async def _settings_json(ctx: Ctx, org: str) -> dict[str, Any]:
    async with ctx.sessions() as db:
        found = await reminders.settings_of(db, org)
        opted = await db.scalars(
            select(ReminderOptOut.customer_id).where(ReminderOptOut.org_id == org)
        )
        rate = found.late_interest_rate
        return {
            "enabled": found.enabled,
            "steps": [{"days": s.days, "tone": s.tone} for s in found.steps],
            "late_interest_rate": None if rate is None else format(rate, "f"),
            "opted_out": sorted(opted),
        }


@router.get(
    "/api/orgs/{org}/reminders",
    response_model=SettingsOut,
    responses=errors(403, 404),
    summary="The organization's reminder schedule (accountants and admins)",
    description="Without settings: the default schedule (3 days before the due date, then 7, "
    "15 and 30 days after), switched off.",
)
async def get_settings(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.PAYMENT_MANAGE)
    return await _settings_json(ctx, org)


@router.put(
    "/api/orgs/{org}/reminders",
    response_model=SettingsOut,
    responses=errors(400, 403, 404),
    summary="Set the reminder schedule, switch it on or off (accountants and admins); audited",
)
async def put_settings(
    caller: Caller, ctx: Ctx, org: str, body: SettingsIn, request: Request
) -> Any:
    steps = tuple(Step(s.days, s.tone) for s in body.steps)
    rate = Decimal(body.late_interest_rate) if body.late_interest_rate else None
    async with ctx.sessions.begin() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.PAYMENT_MANAGE)
        try:
            check_steps(steps)
        except ValueError as exc:
            raise BadRequest(str(exc), code="schedule") from None
        await reminders.save_settings(
            db,
            org_id=org,
            new=reminders.Settings(body.enabled, steps, rate),
            user_id=caller.user_id,
        )
        if body.enabled:  # what is due now goes now, not at the next hour
            now = datetime.now(UTC)
            await reminders.queue_sweep(db, now.date(), round_=now.isoformat())
        audit.record(
            db,
            AuditKind.REMINDERS_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org,
            detail=(
                f"{'on' if body.enabled else 'off'}; steps "
                + ", ".join(f"{s.days:+d} {s.tone}" for s in steps)
                + f"; interest {body.late_interest_rate or 'none'}"
            ),
        )
    jobs.nudge()
    return await _settings_json(ctx, org)


@router.put(
    "/api/orgs/{org}/reminders/opt-outs/{customer_id}",
    response_model=SettingsOut,
    responses=errors(403, 404),
    summary="A catalogue customer gets no scheduled reminders (accountants, admins); audited",
)
async def put_opt_out(
    caller: Caller, ctx: Ctx, org: str, customer_id: str, request: Request
) -> Any:
    await _opt(ctx, caller, org, customer_id, request, out=True)
    return await _settings_json(ctx, org)


@router.delete(
    "/api/orgs/{org}/reminders/opt-outs/{customer_id}",
    response_model=SettingsOut,
    responses=errors(403, 404),
    summary="The customer gets scheduled reminders again; audited",
)
async def delete_opt_out(
    caller: Caller, ctx: Ctx, org: str, customer_id: str, request: Request
) -> Any:
    await _opt(ctx, caller, org, customer_id, request, out=False)
    return await _settings_json(ctx, org)


async def _opt(
    ctx: Ctx, caller: Any, org: str, customer_id: str, request: Request, *, out: bool
) -> None:
    async with ctx.sessions.begin() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.PAYMENT_MANAGE)
        name = await catalog.customer_name(db, org_id=org, customer_id=customer_id)
        if name is None:
            raise NotFound("no such customer")
        row = await db.get(ReminderOptOut, (org, customer_id))
        if out and row is None:
            db.add(
                ReminderOptOut(
                    org_id=org,
                    customer_id=customer_id,
                    created_by=caller.user_id,
                    created_at=datetime.now(UTC),
                )
            )
        elif not out and row is not None:
            await db.delete(row)
        audit.record(
            db,
            AuditKind.REMINDERS_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org,
            detail=f"customer {name}: reminders {'off' if out else 'on'}",
        )


@router.get(
    "/api/invoices/{invoice_id}/reminders",
    response_model=ReminderList,
    responses=errors(404),
    summary="An invoice's reminders: sent, and scheduled steps not sent (with why)",
)
async def get_reminders(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    async with ctx.sessions() as db:
        await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        rows = await reminders.log_of(db, invoice_id)
    return {"items": [reminders.reminder_json(row) for row in rows]}


@router.post(
    "/api/invoices/{invoice_id}/reminders",
    status_code=201,
    response_model=ReminderOut,
    responses=errors(400, 403, 404, 409),
    summary="Send a reminder now (accountants and admins), whatever the schedule; audited",
    description="409 `not_remindable` when the invoice is paid, credited, disputed or its "
    "customer has no e-mail address. Late charges are shown as on scheduled reminders.",
)
async def post_reminder(caller: Caller, ctx: Ctx, invoice_id: str, body: ManualReminder) -> Any:
    async with ctx.sessions.begin() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        if not found.can(Capability.PAYMENT_MANAGE):
            raise Forbidden(f"a {found.member.role} cannot send reminders")
        settings = await reminders.settings_of(db, found.invoice.org_id)
        today = datetime.now(UTC).date()
        due = found.invoice.due_date
        late = (today - date.fromisoformat(due)).days if due else 0
        try:
            row = await reminders.remind(
                db,
                ctx.sessions,
                ctx.registry,
                ctx.store,
                invoice=found.invoice,
                step=Step(late, body.tone),
                index=None,
                settings=settings,
                today=today,
                user_id=caller.user_id,
                message=body.message,
            )
        except reminders.NotRemindable as exc:
            raise Conflict(f"no reminder: {exc}", code="not_remindable") from None
        answer = reminders.reminder_json(row)
    jobs.nudge()
    return answer
