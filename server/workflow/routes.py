"""/api/invoices/{id}/transitions: the workflow's one endpoint, a thin handler over the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from collab.invoice.workflow import Action
from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.workflow import service as workflow
from server.workflow.schemas import TransitionRequest, WorkflowStateOut

router = APIRouter(prefix="/api/invoices", tags=["workflow"], responses=errors(401))


@router.post(
    "/{invoice_id}/transitions",
    response_model=WorkflowStateOut,
    responses=errors(400, 403, 404, 409),
    summary="Submit, approve, reject, issue, reopen or discard an invoice",
    description=(
        "Answers the invoice's new state. Refusals carry `code`: 403 `role` or `four_eyes`; "
        "409 `wrong_state`, `stale_version`, `not_valid` (with `details`), `content_changed`, "
        "`profile_incomplete` (with `details`) or `was_submitted`; 400 `reason_required`. "
        "Rules and table: docs/workflow.md."
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
