"""The e-invoicing transmission endpoints, thin handlers over the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.auth.service import Caller
from server.core.api import Ctx, errors
from server.platforms import service as platforms
from server.platforms.schemas import TransmissionList

router = APIRouter(tags=["e-invoicing platforms"], responses=errors(401))


@router.get(
    "/api/invoices/{invoice_id}/transmissions",
    response_model=TransmissionList,
    responses=errors(404),
    summary="Where the issued invoice stands with each e-invoicing platform",
)
async def get_transmissions(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    items = await platforms.listing(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)
    return {"items": items}


@router.post(
    "/api/invoices/{invoice_id}/transmissions",
    response_model=TransmissionList,
    responses=errors(403, 404, 409),
    summary="Queue an issued invoice for the platforms again (admins)",
    description=(
        "A failed transmission is tried again, a missing one is made; one sent or on its way is "
        "left alone. 409 `no_platform` when none is configured, `not_issued` for a draft."
    ),
)
async def post_transmissions(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    items = await platforms.requeue(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)
    return {"items": items}
