"""The organization's recent domain events, for admins (what a webhook would have carried)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from server.auth.service import Caller, Capability, require
from server.core.api import Ctx, errors
from server.events import service as events
from server.events.schemas import EventList

router = APIRouter(tags=["events"], responses=errors(401))


@router.get(
    "/api/orgs/{org}/events",
    response_model=EventList,
    responses=errors(403, 404),
    summary="The organization's latest domain events, newest first (admins)",
)
async def get_events(
    caller: Caller,
    ctx: Ctx,
    org: str,
    type: Annotated[events.EventType | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    async with ctx.sessions() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
        found = await events.listing(db, org_id=org, type=type, limit=limit)
    return {"items": [event_json(e) for e in found]}


def event_json(event: events.Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type.value,
        "data": event.data,
        "actor_id": event.actor_id,
        "at": event.at.isoformat(),
    }
