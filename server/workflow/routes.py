"""The workflow's endpoints, thin handlers over the service: transitions, the assignee, named
versions, and the organization's workflow settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from collab.invoice.workflow import Action
from server.auth import service as auth
from server.auth.service import Caller, Capability
from server.core.api import Ctx, client_ip, errors
from server.workflow import service as workflow
from server.workflow.overview import overview
from server.workflow.schemas import (
    AssigneeOut,
    AssigneeRequest,
    TransitionRequest,
    VersionList,
    VersionOut,
    VersionRequest,
    WorkflowOverview,
    WorkflowSettingsModel,
    WorkflowStateOut,
)

router = APIRouter(tags=["workflow"], responses=errors(401))


@router.post(
    "/api/invoices/{invoice_id}/transitions",
    response_model=WorkflowStateOut,
    responses=errors(400, 403, 404, 409),
    summary="Submit, approve, reject, issue, reopen or discard an invoice",
    description=(
        "Answers the invoice's new state. Refusals carry `code`: 403 `role`, `four_eyes` or "
        "`needs_admin`; 409 `wrong_state`, `stale_version`, `not_valid` (with `details`), "
        "`content_changed`, `profile_incomplete` (with `details`) or `was_submitted`; 400 "
        "`reason_required`. Rules and table: docs/workflow.md."
    ),
)
async def take_transition(
    caller: Caller, ctx: Ctx, invoice_id: str, body: TransitionRequest, request: Request
) -> Any:
    return await workflow.transition(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        workflow.Request(
            user_id=caller.user_id,
            invoice_id=invoice_id,
            action=Action(body.action),
            reason=body.reason,
            version=body.version,
            ip=client_ip(request),
        ),
    )


@router.get(
    "/api/invoices/{invoice_id}/workflow",
    response_model=WorkflowOverview,
    responses=errors(404),
    summary="The invoice's workflow state and the actions the caller may take now",
)
async def get_workflow(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    return await overview(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)


@router.put(
    "/api/invoices/{invoice_id}/assignee",
    response_model=AssigneeOut,
    responses=errors(400, 403, 404, 409),
    summary="Set who should act next on an invoice (editors and above); null clears it",
    description=(
        "400 `not_member` when the user is not a member of the invoice's organization; 409 "
        "`cannot_act` when their role may take no workflow action in the invoice's state."
    ),
)
async def put_assignee(
    caller: Caller, ctx: Ctx, invoice_id: str, body: AssigneeRequest, request: Request
) -> Any:
    return await workflow.set_assignee(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        assignee_id=body.user_id,
        ip=client_ip(request),
    )


@router.get(
    "/api/invoices/{invoice_id}/versions",
    response_model=VersionList,
    responses=errors(404),
    summary="The invoice's named versions, newest first (automatic at submit and approve)",
)
async def get_versions(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    return await workflow.list_versions(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)


@router.post(
    "/api/invoices/{invoice_id}/versions",
    status_code=201,
    response_model=VersionOut,
    responses=errors(400, 403, 404, 409),
    summary="Name the invoice's current content (editors); restore it later with its seq",
)
async def post_version(
    caller: Caller, ctx: Ctx, invoice_id: str, body: VersionRequest, request: Request
) -> Any:
    return await workflow.name_version(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        name=body.name,
        ip=client_ip(request),
    )


@router.get(
    "/api/orgs/{org}/workflow-settings",
    response_model=WorkflowSettingsModel,
    responses=errors(404),
    summary="The organization's approval rules: four-eyes and the admin threshold (any member)",
)
async def read_settings(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.INVOICE_READ
        )
        found = await workflow.read_settings(db, org)
    return found.as_dict()


@router.put(
    "/api/orgs/{org}/workflow-settings",
    response_model=WorkflowSettingsModel,
    responses=errors(400, 403, 404),
    summary="Set the organization's approval rules (admins); audited",
)
async def write_settings(
    caller: Caller, ctx: Ctx, org: str, body: WorkflowSettingsModel, request: Request
) -> Any:
    threshold = body.admin_threshold
    new = workflow.Settings(
        four_eyes=body.four_eyes,
        admin_threshold=None
        if threshold is None
        else workflow.Threshold(Decimal(threshold.amount), threshold.currency),
    )
    async with ctx.sessions.begin() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        saved = await workflow.save_settings(
            db, org_id=org, actor_id=caller.user_id, ip=client_ip(request), new=new
        )
    return saved.as_dict()
