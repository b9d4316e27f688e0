"""/api/notifications: the caller's in-app notifications and their unread count."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.auth.access import principal
from server.comments import notifications
from server.core.api import ctx_of
from server.core.errors import BadRequest


async def listing(request: Request) -> JSONResponse:
    claims = principal(request)
    params = request.query_params
    unread = params.get("unread", "false")
    if unread not in ("true", "false"):
        raise BadRequest("`unread` must be true or false")
    raw_limit = params.get("limit", "50")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= notifications.MAX_PAGE:
        raise BadRequest(f"`limit` must be an integer from 1 to {notifications.MAX_PAGE}")
    async with ctx_of(request).sessions() as db:
        items = await notifications.listing(
            db, user_id=claims.user_id, unread_only=unread == "true", limit=int(raw_limit)
        )
        count = await notifications.unread_count(db, claims.user_id)
    return JSONResponse({"items": items, "unread": count})


async def read_one(request: Request) -> JSONResponse:
    claims = principal(request)
    async with ctx_of(request).sessions.begin() as db:
        item = await notifications.mark_read(
            db, user_id=claims.user_id, notification_id=request.path_params["notification_id"]
        )
    return JSONResponse(item)


async def read_all(request: Request) -> JSONResponse:
    claims = principal(request)
    async with ctx_of(request).sessions.begin() as db:
        await notifications.mark_all_read(db, user_id=claims.user_id)
        count = await notifications.unread_count(db, claims.user_id)
    return JSONResponse({"unread": count})


routes = [
    Route("/api/notifications", listing, methods=["GET"]),
    Route("/api/notifications/read-all", read_all, methods=["POST"]),
    Route("/api/notifications/{notification_id}/read", read_one, methods=["POST"]),
]
