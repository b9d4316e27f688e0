"""The recurring-invoice endpoints, thin handlers over the service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from collab.invoice.recurrence import Frequency
from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.recurring import service as recurring
from server.recurring.schemas import (
    RunList,
    ScheduleChange,
    ScheduleCreate,
    ScheduleList,
    ScheduleOut,
)

router = APIRouter(tags=["recurring invoices"], responses=errors(401))


@router.post(
    "/api/invoices/{invoice_id}/recurring",
    status_code=201,
    response_model=ScheduleOut,
    responses=errors(400, 403, 404, 409),
    summary="Make a recurring schedule from an invoice (its document is the template)",
    description=(
        "Editors, approvers and admins (`invoice.create`); the caller owns the schedule: each "
        "draft is their change, submitted as them in mode `submit`. 409 `not_a_template` for "
        "a credit note or a discarded invoice."
    ),
)
async def make_schedule(
    caller: Caller, ctx: Ctx, invoice_id: str, request: Request, body: ScheduleCreate
) -> Any:
    terms = recurring.Terms(
        frequency=Frequency(body.frequency),
        day=body.day,
        start=body.start,
        end=body.end,
        count=body.count,
        mode=body.mode,
    )
    return await recurring.create(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        terms=terms,
        ip=client_ip(request),
        now=datetime.now(UTC),
    )


@router.get(
    "/api/orgs/{org}/recurring",
    response_model=ScheduleList,
    responses=errors(404),
    summary="The organization's recurring schedules with their next runs",
)
async def list_schedules(caller: Caller, ctx: Ctx, org: str) -> Any:
    items = await recurring.listing(
        ctx.sessions, user_id=caller.user_id, org_id=org, now=datetime.now(UTC)
    )
    return {"items": items}


@router.get(
    "/api/recurring/{schedule_id}",
    response_model=ScheduleOut,
    responses=errors(404),
    summary="A recurring schedule with its next runs",
)
async def get_schedule(caller: Caller, ctx: Ctx, schedule_id: str) -> Any:
    return await recurring.read(
        ctx.sessions, user_id=caller.user_id, schedule_id=schedule_id, now=datetime.now(UTC)
    )


@router.patch(
    "/api/recurring/{schedule_id}",
    response_model=ScheduleOut,
    responses=errors(400, 403, 404),
    summary="Edit a schedule's terms, pause or resume it (from today on)",
    description=(
        "Editors, approvers and admins. An edit and a resume apply from today: a period that "
        "ran while the schedule was paused is not made afterwards."
    ),
)
async def change_schedule(
    caller: Caller, ctx: Ctx, schedule_id: str, request: Request, body: ScheduleChange
) -> Any:
    return await recurring.change(
        ctx.sessions,
        user_id=caller.user_id,
        schedule_id=schedule_id,
        changes=body.changes(),
        ip=client_ip(request),
        now=datetime.now(UTC),
    )


@router.get(
    "/api/recurring/{schedule_id}/invoices",
    response_model=RunList,
    responses=errors(404),
    summary="What a schedule made, period by period",
)
async def schedule_invoices(caller: Caller, ctx: Ctx, schedule_id: str) -> Any:
    items = await recurring.made_by(ctx.sessions, user_id=caller.user_id, schedule_id=schedule_id)
    return {"items": items}
