"""The credit-note endpoints, thin handlers over the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.credit_notes import service as credit_notes
from server.credit_notes.schemas import CreditNoteCreated, CreditNoteList, CreditNoteRequest

router = APIRouter(tags=["credit notes"], responses=errors(401))


@router.post(
    "/api/invoices/{invoice_id}/credit-notes",
    status_code=201,
    response_model=CreditNoteCreated,
    responses=errors(400, 403, 404, 409),
    summary="Make a credit-note draft from an issued invoice (whole or chosen lines)",
    description=(
        "Editors, approvers, accountants and admins. The draft goes through the same workflow; "
        "it is submitted and issued only within what remains to be credited (409 "
        "`exceeds_remaining`). 409 when the invoice is not issued, nothing remains, or (whole "
        "invoice) part of it was credited already; 400 for a line the invoice does not have."
    ),
)
async def make_credit_note(
    caller: Caller, ctx: Ctx, invoice_id: str, request: Request, body: CreditNoteRequest
) -> Any:
    return await credit_notes.create(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        line_ids=body.lines,
        ip=client_ip(request),
    )


@router.get(
    "/api/invoices/{invoice_id}/credit-notes",
    response_model=CreditNoteList,
    responses=errors(404),
    summary="An invoice's credit notes, what they credited and what remains",
)
async def list_credit_notes(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    return await credit_notes.overview(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)
