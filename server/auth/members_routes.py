"""Routes under /api/orgs/{org}: members and roles, the security policy, the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import members, sessions
from server.auth.access import access_of, flag, json_body, principal, text
from server.auth.permissions import Capability
from server.core.api import client_ip, ctx_of
from server.core.errors import BadRequest

_AUDIT_PAGE = 100


async def list_members(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    async with ctx_of(request).sessions() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        found = await members.list_members(db, org_id)
    return JSONResponse({"items": [m.as_json() for m in found]})


async def add_member(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    data = await json_body(request)
    async with ctx_of(request).sessions.begin() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        email = text(data, "email", max_length=320)
        role = members.parse_role(text(data, "role", max_length=20))
        name = text(data, "name", max_length=200) if data.get("name") is not None else ""
        added = await members.add(
            db,
            org_id=org_id,
            email=email,
            role=role,
            name=name,
            invite_ttl=access_of(request).settings.invite_ttl,
        )
        audit.record(
            db,
            AuditKind.MEMBER_ADDED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org_id,
            target=added.member.user.id,
            detail=f"role {role}",
        )
    body = added.member.as_json()
    if added.invitation is not None:
        body["invitation_token"] = added.invitation
    return JSONResponse(body, status_code=201)


async def change_role(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    user_id = request.path_params["user_id"]
    data = await json_body(request)
    async with ctx_of(request).sessions.begin() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        role = members.parse_role(text(data, "role", max_length=20))
        previous = await members.change_role(db, org_id=org_id, user_id=user_id, role=role)
        audit.record(
            db,
            AuditKind.ROLE_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org_id,
            target=user_id,
            detail=f"{previous} -> {role}",
        )
    await access_of(request).live.apply_membership(user_id=user_id, org_id=org_id, role=role)
    async with ctx_of(request).sessions() as db:
        listed = [m for m in await members.list_members(db, org_id) if m.user.id == user_id]
    return JSONResponse(listed[0].as_json() if listed else {"user_id": user_id, "role": role})


async def remove_member(request: Request) -> Response:
    caller, org_id = principal(request), request.path_params["org"]
    user_id = request.path_params["user_id"]
    async with ctx_of(request).sessions.begin() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        previous = await members.remove(db, org_id=org_id, user_id=user_id)
        audit.record(
            db,
            AuditKind.MEMBER_REMOVED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org_id,
            target=user_id,
            detail=f"was {previous}",
        )
    await access_of(request).live.apply_membership(user_id=user_id, org_id=org_id, role=None)
    return Response(status_code=204)


async def get_security(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    async with ctx_of(request).sessions() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        return JSONResponse({"require_totp": await members.require_totp(db, org_id)})


async def set_security(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    data = await json_body(request)
    async with ctx_of(request).sessions.begin() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        if set(data) - {"require_totp"}:
            raise BadRequest("only `require_totp` can be set")
        require_totp = flag(data, "require_totp")
        shut_out = await members.set_require_totp(db, org_id, require_totp)
        # Members who must now use a second factor and have none lose their sessions.
        ended = [sid for user_id in shut_out for sid in await sessions.revoke_all(db, user_id)]
        audit.record(
            db,
            AuditKind.POLICY_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org_id,
            detail=f"require_totp={str(require_totp).lower()}",
        )
    access_of(request).live.end_sessions(ended, "two-factor authentication is now required")
    return JSONResponse({"require_totp": require_totp})


async def audit_log(request: Request) -> JSONResponse:
    caller, org_id = principal(request), request.path_params["org"]
    raw = request.query_params.get("limit", str(_AUDIT_PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise BadRequest("`limit` must be a whole number from 1 to 1000")
    async with ctx_of(request).sessions() as db:
        await members.require(
            db, user_id=caller.user_id, org_id=org_id, capability=Capability.MEMBER_MANAGE
        )
        events = await audit.for_org(db, org_id, limit=int(raw))
    return JSONResponse({"items": [audit.as_json(e) for e in events]})


routes = [
    Route("/api/orgs/{org}/members", list_members, methods=["GET"]),
    Route("/api/orgs/{org}/members", add_member, methods=["POST"]),
    Route("/api/orgs/{org}/members/{user_id}", change_role, methods=["PATCH"]),
    Route("/api/orgs/{org}/members/{user_id}", remove_member, methods=["DELETE"]),
    Route("/api/orgs/{org}/security", get_security, methods=["GET"]),
    Route("/api/orgs/{org}/security", set_security, methods=["PATCH"]),
    Route("/api/orgs/{org}/audit", audit_log, methods=["GET"]),
]
