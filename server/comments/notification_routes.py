"""/api/notifications: the caller's in-app notifications and their unread count."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from server.auth.service import Caller
from server.comments import notifications
from server.comments.schemas import Notification, NotificationPage, NotificationQuery, UnreadCount
from server.core.api import Ctx, errors

router = APIRouter(prefix="/api/notifications", tags=["notifications"], responses=errors(401))


@router.get(
    "",
    response_model=NotificationPage,
    responses=errors(400),
    summary="The caller's notifications, newest first, and the unread count",
)
async def listing(caller: Caller, ctx: Ctx, query: Annotated[NotificationQuery, Query()]) -> Any:
    async with ctx.sessions() as db:
        items = await notifications.listing(
            db, user_id=caller.user_id, unread_only=query.unread, limit=query.limit
        )
        count = await notifications.unread_count(db, caller.user_id)
    return {"items": items, "unread": count}


@router.post(
    "/read-all", response_model=UnreadCount, summary="Mark every notification of the caller read"
)
async def read_all(caller: Caller, ctx: Ctx) -> Any:
    async with ctx.sessions.begin() as db:
        await notifications.mark_all_read(db, user_id=caller.user_id)
        count = await notifications.unread_count(db, caller.user_id)
    return {"unread": count}


@router.post(
    "/{notification_id}/read",
    response_model=Notification,
    responses=errors(404),
    summary="Mark one notification read (404 if it is not the caller's)",
)
async def read_one(caller: Caller, ctx: Ctx, notification_id: str) -> Any:
    async with ctx.sessions.begin() as db:
        return await notifications.mark_read(
            db, user_id=caller.user_id, notification_id=notification_id
        )
