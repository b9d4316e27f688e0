"""Routes under /api/orgs/{org}/tokens, for admins (`token.manage`): the organization's API
tokens (api_tokens.py). Another organization's id is the same 404 as an unknown one."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from server.auth import api_tokens
from server.auth.access import Caller
from server.auth.schemas import ApiTokenCreated, ApiTokenList, ApiTokenOut, CreateApiToken
from server.core.api import Ctx, client_ip, errors

router = APIRouter(
    prefix="/api/orgs/{org}/tokens",
    tags=["api tokens"],
    responses=errors(401, 403, 404),
)


@router.get(
    "",
    response_model=ApiTokenList,
    summary="The organization's API tokens that are not revoked (never their secrets)",
)
async def list_tokens(org: str, caller: Caller, ctx: Ctx) -> ApiTokenList:
    async with ctx.sessions() as db:
        found = await api_tokens.list_tokens(db, user_id=caller.user_id, org_id=org)
    return ApiTokenList(items=[ApiTokenOut.of(t) for t in found])


@router.post(
    "",
    status_code=201,
    response_model=ApiTokenCreated,
    responses=errors(400, 409),
    summary="Create an API token: its secret is in this answer only; audited",
    description="The token acts as the caller, within its scopes and the caller's role at each "
    "use. Send it as `Authorization: Bearer cof_...` on the REST API.",
)
async def create_token(
    org: str, body: CreateApiToken, caller: Caller, ctx: Ctx, request: Request
) -> ApiTokenCreated:
    async with ctx.sessions.begin() as db:
        created = await api_tokens.create(
            db,
            user_id=caller.user_id,
            org_id=org,
            ip=client_ip(request),
            name=body.name,
            scopes=body.scopes,
            expires_in_days=body.expires_in_days,
        )
    listed = ApiTokenOut.of(created.listed)
    return ApiTokenCreated(**listed.model_dump(), token=created.secret)


@router.delete(
    "/{token_id}",
    status_code=204,
    response_class=Response,
    summary="Revoke an API token: refused from the next request on, on every process; audited",
)
async def revoke_token(
    org: str, token_id: str, caller: Caller, ctx: Ctx, request: Request
) -> Response:
    async with ctx.sessions.begin() as db:
        await api_tokens.revoke(
            db, user_id=caller.user_id, org_id=org, ip=client_ip(request), token_id=token_id
        )
    return Response(status_code=204)
