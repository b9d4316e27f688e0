"""/api/orgs/{org}/webhooks: an organization's outgoing webhooks, for its admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from server.auth.service import Caller, Capability, require
from server.core.api import Ctx, client_ip, errors
from server.webhooks import service as webhooks
from server.webhooks.schemas import (
    AttemptList,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    NoticeList,
    Queued,
    ReplayIn,
    SecretOut,
)

router = APIRouter(tags=["webhooks"], responses=errors(401, 403, 404))
_ONE = "/api/orgs/{org}/webhooks/{endpoint_id}"


async def _admin(db: Any, caller: Caller, org: str) -> None:
    await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)


@router.get("/api/orgs/{org}/webhooks", response_model=EndpointList, summary="The webhooks")
async def get_webhooks(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await _admin(db, caller, org)
        found = await webhooks.listing(db, org_id=org)
    return {"items": [webhooks.endpoint_json(e) for e in found]}


@router.post(
    "/api/orgs/{org}/webhooks",
    response_model=EndpointCreated,
    status_code=201,
    responses=errors(400, 409),
    summary="A new webhook; its `secret` is shown in this answer only",
)
async def post_webhook(
    caller: Caller, ctx: Ctx, org: str, body: EndpointIn, request: Request
) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        made, secret = await webhooks.create(
            db,
            org_id=org,
            user_id=caller.user_id,
            url=body.url,
            selected=body.events,
            description=body.description,
            ip=client_ip(request),
        )
        return {**webhooks.endpoint_json(made), "secret": secret}


@router.get(_ONE, response_model=EndpointOut, summary="One webhook (never its secret)")
async def get_webhook(caller: Caller, ctx: Ctx, org: str, endpoint_id: str) -> Any:
    async with ctx.sessions() as db:
        await _admin(db, caller, org)
        return webhooks.endpoint_json(await webhooks.find(db, org_id=org, endpoint_id=endpoint_id))


@router.patch(
    _ONE, response_model=EndpointOut, responses=errors(400), summary="Change URL, events, text"
)
async def patch_webhook(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, body: EndpointPatch, request: Request
) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        changed = await webhooks.change(
            db,
            org_id=org,
            endpoint_id=endpoint_id,
            user_id=caller.user_id,
            url=body.url,
            selected=body.events,
            description=body.description,
            ip=client_ip(request),
        )
        return webhooks.endpoint_json(changed)


@router.delete(_ONE, status_code=204, summary="Delete a webhook with its delivery log")
async def delete_webhook(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request
) -> Response:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        await webhooks.remove(
            db, org_id=org, endpoint_id=endpoint_id, user_id=caller.user_id, ip=client_ip(request)
        )
    return Response(status_code=204)


@router.post(
    f"{_ONE}/rotate-secret",
    response_model=SecretOut,
    summary="A new secret, shown in this answer only; the old one stops at once",
)
async def post_rotate(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request
) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        secret = await webhooks.rotate(
            db, org_id=org, endpoint_id=endpoint_id, user_id=caller.user_id, ip=client_ip(request)
        )
    return {"secret": secret}


async def _set_enabled(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request, enabled: bool
) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        endpoint = await webhooks.set_enabled(
            db,
            org_id=org,
            endpoint_id=endpoint_id,
            user_id=caller.user_id,
            enabled=enabled,
            ip=client_ip(request),
        )
        return webhooks.endpoint_json(endpoint)


@router.post(
    f"{_ONE}/enable", response_model=EndpointOut, responses=errors(400), summary="Switch it on"
)
async def post_enable(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request
) -> Any:
    return await _set_enabled(caller, ctx, org, endpoint_id, request, True)


@router.post(f"{_ONE}/disable", response_model=EndpointOut, summary="Switch it off")
async def post_disable(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request
) -> Any:
    return await _set_enabled(caller, ctx, org, endpoint_id, request, False)


@router.get(
    f"{_ONE}/deliveries",
    response_model=AttemptList,
    summary="The delivery log: every attempt, newest first",
)
async def get_deliveries(
    caller: Caller,
    ctx: Ctx,
    org: str,
    endpoint_id: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    async with ctx.sessions() as db:
        await _admin(db, caller, org)
        rows = await webhooks.attempts(db, org_id=org, endpoint_id=endpoint_id, limit=limit)
    return {"items": [webhooks.attempt_json(r) for r in rows]}


@router.post(
    f"{_ONE}/replay",
    response_model=Queued,
    status_code=202,
    responses=errors(409),
    summary="Deliver one of the organization's events again (same `webhook-id`)",
)
async def post_replay(
    caller: Caller, ctx: Ctx, org: str, endpoint_id: str, body: ReplayIn, request: Request
) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        event_id = await webhooks.replay(
            db,
            org_id=org,
            endpoint_id=endpoint_id,
            event_id=body.event_id,
            user_id=caller.user_id,
            ip=client_ip(request),
        )
    return {"event_id": event_id}


@router.post(
    f"{_ONE}/test",
    response_model=Queued,
    status_code=202,
    responses=errors(409),
    summary="Send a `webhook.test` event; its attempts appear in the delivery log",
)
async def post_test(caller: Caller, ctx: Ctx, org: str, endpoint_id: str, request: Request) -> Any:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        event_id = await webhooks.send_test(
            db, org_id=org, endpoint_id=endpoint_id, user_id=caller.user_id, ip=client_ip(request)
        )
    return {"event_id": event_id}


@router.get(
    "/api/orgs/{org}/webhook-notices",
    response_model=NoticeList,
    summary="The caller's unread notices of webhooks we switched off (admins)",
)
async def get_notices(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await _admin(db, caller, org)
        rows = await webhooks.notices(db, org_id=org, user_id=caller.user_id)
    return {"items": [webhooks.notice_json(r) for r in rows]}


@router.post(
    "/api/orgs/{org}/webhook-notices/{notice_id}/read",
    status_code=204,
    summary="Mark a notice read",
)
async def post_notice_read(caller: Caller, ctx: Ctx, org: str, notice_id: str) -> Response:
    async with ctx.sessions.begin() as db:
        await _admin(db, caller, org)
        await webhooks.read_notice(db, org_id=org, user_id=caller.user_id, notice_id=notice_id)
    return Response(status_code=204)
