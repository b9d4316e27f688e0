"""GET /api/board and the organization's priority weights (docs/board.md)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from collab.invoice.priority import Weights
from server.auth import service as auth
from server.auth.service import Caller, Capability
from server.board import service as board
from server.board.hub import BoardHub
from server.board.schemas import Board, BoardQuery, WeightsModel, WeightsOut
from server.core.api import Ctx, client_ip, errors

router = APIRouter(tags=["board"], responses=errors(401))


@router.get(
    "/api/board",
    response_model=Board,
    responses=errors(400, 403, 404),
    summary="The organization's invoices as board cards: stage, priority, people (any member)",
)
async def read_board(
    caller: Caller, ctx: Ctx, query: Annotated[BoardQuery, Query()], request: Request
) -> Any:
    filters = query.model_dump(exclude={"org"})
    hub: BoardHub = request.app.state.board_hub
    found = await board.board(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        org_id=query.org,
        filters=filters,
        elsewhere=hub.present_elsewhere,
    )
    # Thousands of cards: encoded once off the event loop rather than validated again by the
    # response model, which still describes the answer (the cards are built to it and the
    # tests check every card against it).
    body = await asyncio.to_thread(json.dumps, found, separators=(",", ":"))
    return Response(body, media_type="application/json")


@router.get(
    "/api/orgs/{org}/priority-weights",
    response_model=WeightsOut,
    responses=errors(403, 404),
    summary="How the board's priority weighs amount, due date and customer (admins)",
)
async def read_weights(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        found = await board.read_weights(db, org)
    return found.as_dict()


@router.put(
    "/api/orgs/{org}/priority-weights",
    response_model=WeightsOut,
    responses=errors(400, 403, 404),
    summary="Set the board's priority weights (admins); audited",
)
async def write_weights(
    caller: Caller, ctx: Ctx, org: str, body: WeightsModel, request: Request
) -> Any:
    new = Weights(amount=body.amount, due=body.due, customer=body.customer)
    async with ctx.sessions.begin() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        changed = await board.save_weights(
            db, org_id=org, actor_id=caller.user_id, ip=client_ip(request), new=new
        )
    if changed:  # every score moves: open boards reconnect for a fresh snapshot
        hub: BoardHub = request.app.state.board_hub
        hub.reload(org)
    return new.as_dict()
