"""The chat endpoints: an organization's Slack/Teams channels (admins), a person's own
channels and notification settings. Thin handlers over server/chat/service.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Caller, Capability, require
from server.chat import service as chat
from server.chat.models import ChatChannel
from server.chat.notices import KINDS, Kind
from server.chat.schemas import (
    ChannelChange,
    ChannelIn,
    ChannelList,
    ChannelOut,
    SettingsIn,
    SettingsOut,
    TestOut,
)
from server.chat.urls import Provider
from server.core.api import Ctx, client_ip, errors

router = APIRouter(tags=["chat"], responses=errors(401))

_ORG = "/api/orgs/{org}/chat-channels"
_OWN = "/api/me/chat-channels"


def _audit(
    db: Any, kind: AuditKind, caller: Caller, request: Request, row: ChatChannel, detail: str
) -> None:
    audit.record(
        db,
        kind,
        actor_id=caller.user_id,
        ip=client_ip(request),
        org_id=row.org_id,
        target=f"chat channel {row.id}",
        detail=f"{row.provider} {row.name}: {detail}",
    )


async def _admin(db: Any, caller: Caller, org: str) -> None:
    await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)


@router.get(
    _ORG,
    response_model=ChannelList,
    responses=errors(403, 404),
    summary="The organization's Slack and Teams channels, URLs masked (admins)",
)
async def get_org_channels(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        await _admin(db, caller, org)
        rows = await chat.channels(db, org_id=org)
        return {"items": [chat.channel_json(r) for r in rows], "links": chat.public_url_set()}


async def _add(
    ctx: Ctx, caller: Caller, request: Request, body: ChannelIn, org: str | None
) -> dict[str, Any]:
    async with ctx.sessions.begin() as db:
        if org is not None:
            await _admin(db, caller, org)
        row = await chat.add(
            db,
            org_id=org,
            owner_id=None if org else caller.user_id,
            provider=Provider(body.provider),
            name=body.name,
            url=body.url,
            kinds=[Kind(k) for k in body.kinds],
            language=body.language,
            created_by=caller.user_id,
        )
        _audit(db, AuditKind.CHAT_CHANNEL_ADDED, caller, request, row, ",".join(body.kinds))
        return chat.channel_json(row)


@router.post(
    _ORG,
    status_code=201,
    response_model=ChannelOut,
    responses=errors(400, 403, 404, 409),
    summary="Add a Slack or Teams incoming webhook to the organization (admins); audited",
    description="The URL must be the provider's (https, hooks.slack.com for Slack; "
    "webhook.office.com or a Power Automate workflow host for Teams): 400 `url` otherwise. "
    "At most 20 channels (409 `too_many`). The answer shows the URL masked, never whole.",
)
async def post_org_channel(
    caller: Caller, ctx: Ctx, org: str, body: ChannelIn, request: Request
) -> Any:
    return await _add(ctx, caller, request, body, org)


async def _change(
    ctx: Ctx,
    caller: Caller,
    request: Request,
    channel_id: str,
    body: ChannelChange,
    org: str | None,
) -> dict[str, Any]:
    async with ctx.sessions.begin() as db:
        if org is not None:
            await _admin(db, caller, org)
        row = await chat.find(
            db, channel_id=channel_id, org_id=org, owner_id=None if org else caller.user_id
        )
        new = chat.Change(
            name=body.name,
            url=body.url,
            kinds=None if body.kinds is None else [Kind(k) for k in body.kinds],
            language=body.language,
            enabled=body.enabled,
        )
        changed = await chat.change(db, row, new)
        if changed:
            _audit(db, AuditKind.CHAT_CHANNEL_CHANGED, caller, request, row, ", ".join(changed))
        return chat.channel_json(row)


@router.patch(
    _ORG + "/{channel_id}",
    response_model=ChannelOut,
    responses=errors(400, 403, 404),
    summary="Change a channel: name, URL, kinds, language, enabled (admins); audited",
)
async def patch_org_channel(
    caller: Caller, ctx: Ctx, org: str, channel_id: str, body: ChannelChange, request: Request
) -> Any:
    return await _change(ctx, caller, request, channel_id, body, org)


async def _remove(
    ctx: Ctx, caller: Caller, request: Request, channel_id: str, org: str | None
) -> Response:
    async with ctx.sessions.begin() as db:
        if org is not None:
            await _admin(db, caller, org)
        row = await chat.find(
            db, channel_id=channel_id, org_id=org, owner_id=None if org else caller.user_id
        )
        _audit(db, AuditKind.CHAT_CHANNEL_REMOVED, caller, request, row, "removed")
        await chat.remove(db, row)
    return Response(status_code=204)


@router.delete(
    _ORG + "/{channel_id}",
    status_code=204,
    responses=errors(403, 404),
    summary="Remove a channel (admins); audited",
)
async def delete_org_channel(
    caller: Caller, ctx: Ctx, org: str, channel_id: str, request: Request
) -> Response:
    return await _remove(ctx, caller, request, channel_id, org)


async def _test(
    ctx: Ctx, caller: Caller, request: Request, channel_id: str, org: str | None
) -> dict[str, Any]:
    async with ctx.sessions.begin() as db:
        if org is not None:
            await _admin(db, caller, org)
        row = await chat.find(
            db, channel_id=channel_id, org_id=org, owner_id=None if org else caller.user_id
        )
        outcome = await chat.send_test(db, row)
        said = "delivered" if outcome.delivered else (outcome.error or "not delivered")
        _audit(db, AuditKind.CHAT_CHANNEL_TESTED, caller, request, row, said)
        return {
            "delivered": outcome.delivered,
            "status": outcome.status,
            "error": outcome.error,
            "channel": chat.channel_json(row),
        }


@router.post(
    _ORG + "/{channel_id}/test",
    response_model=TestOut,
    responses=errors(403, 404),
    summary="Post a test message to the channel now and say how it answered (admins); audited",
    description="A webhook that answers it is gone (Slack `no_service`, 404, 410; Teams 410) "
    "switches the channel off, as a delivery would.",
)
async def post_org_test(
    caller: Caller, ctx: Ctx, org: str, channel_id: str, request: Request
) -> Any:
    return await _test(ctx, caller, request, channel_id, org)


@router.get(
    _OWN,
    response_model=ChannelList,
    summary="The caller's own Slack and Teams channels (for what concerns them), URLs masked",
)
async def get_own_channels(caller: Caller, ctx: Ctx) -> Any:
    async with ctx.sessions() as db:
        rows = await chat.channels(db, owner_id=caller.user_id)
        return {"items": [chat.channel_json(r) for r in rows], "links": chat.public_url_set()}


@router.post(
    _OWN,
    status_code=201,
    response_model=ChannelOut,
    responses=errors(400, 409),
    summary="Add one's own Slack or Teams webhook (at most 5); audited",
)
async def post_own_channel(caller: Caller, ctx: Ctx, body: ChannelIn, request: Request) -> Any:
    return await _add(ctx, caller, request, body, None)


@router.patch(
    _OWN + "/{channel_id}",
    response_model=ChannelOut,
    responses=errors(400, 404),
    summary="Change one's own channel; audited",
)
async def patch_own_channel(
    caller: Caller, ctx: Ctx, channel_id: str, body: ChannelChange, request: Request
) -> Any:
    return await _change(ctx, caller, request, channel_id, body, None)


@router.delete(
    _OWN + "/{channel_id}",
    status_code=204,
    responses=errors(404),
    summary="Remove one's own channel; audited",
)
async def delete_own_channel(
    caller: Caller, ctx: Ctx, channel_id: str, request: Request
) -> Response:
    return await _remove(ctx, caller, request, channel_id, None)


@router.post(
    _OWN + "/{channel_id}/test",
    response_model=TestOut,
    responses=errors(404),
    summary="Post a test message to one's own channel now; audited",
)
async def post_own_test(caller: Caller, ctx: Ctx, channel_id: str, request: Request) -> Any:
    return await _test(ctx, caller, request, channel_id, None)


def _settings_json(found: chat.Settings) -> dict[str, Any]:
    return {
        "language": found.language,
        "email": [k.value for k in found.email_kinds],
        "kinds": [k.value for k in KINDS],
    }


@router.get(
    "/api/me/notification-settings",
    response_model=SettingsOut,
    summary="What the caller wants by e-mail, and in which language",
    description="Without settings: @mentions by e-mail, in English.",
)
async def get_settings(caller: Caller, ctx: Ctx) -> Any:
    async with ctx.sessions() as db:
        return _settings_json(await chat.settings_of(db, caller.user_id))


@router.put(
    "/api/me/notification-settings",
    response_model=SettingsOut,
    responses=errors(400),
    summary="Choose, per kind, what one gets by e-mail, and the language; audited",
)
async def put_settings(caller: Caller, ctx: Ctx, body: SettingsIn, request: Request) -> Any:
    async with ctx.sessions.begin() as db:
        saved = await chat.save_settings(
            db,
            user_id=caller.user_id,
            language=body.language,
            email_kinds=[Kind(k) for k in body.email],
        )
        audit.record(
            db,
            AuditKind.NOTIFICATION_SETTINGS_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            detail=f"{saved.language}; e-mail: {','.join(k.value for k in saved.email_kinds)}",
        )
        return _settings_json(saved)
