"""HTTP JSON API under /api: thin handlers over the service functions."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server import invoices
from server.context import AppContext
from server.documents import read_document
from server.errors import BadRequest, Unauthorized
from server.openapi import OPENAPI
from server.security import InvalidToken, TokenClaims

MAX_BODY_BYTES = 64 * 1024


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"request body above {MAX_BODY_BYTES} bytes")
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise BadRequest("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    return data


def _string(data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadRequest(f"`{key}` is required")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"`{key}` must be a string")
    return value


def bearer_claims(ctx: AppContext, header: str | None) -> TokenClaims:
    if not header or not header.lower().startswith("bearer "):
        raise Unauthorized("missing bearer token")
    try:
        return ctx.signer.verify(header[7:].strip())
    except InvalidToken:
        raise Unauthorized("invalid or expired token") from None


def _claims(request: Request) -> TokenClaims:
    return bearer_claims(_ctx(request), request.headers.get("authorization"))


async def create_invoice(request: Request) -> JSONResponse:
    claims = _claims(request)
    data = await _json_object(request)
    org_id = _string(data, "org", required=False)
    async with _ctx(request).sessions.begin() as db:
        invoice = await invoices.create_invoice(db, user_id=claims.user_id, org_id=org_id)
    return JSONResponse(invoices.summary(invoice), status_code=201)


async def list_invoices(request: Request) -> JSONResponse:
    claims = _claims(request)
    query = invoices.parse_query(request.query_params, request.query_params.getlist("status"))
    async with _ctx(request).sessions() as db:
        found, total = await invoices.list_invoices(db, user_id=claims.user_id, query=query)
    return JSONResponse(
        {
            "items": [invoices.summary(i) for i in found],
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
        }
    )


async def get_invoice(request: Request) -> JSONResponse:
    claims = _claims(request)
    ctx = _ctx(request)
    invoice_id = request.path_params["invoice_id"]
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=claims.user_id, invoice_id=invoice_id)
    document = await read_document(ctx.registry, ctx.store, found.invoice.id)
    return JSONResponse(invoices.detail(found.invoice, document))


async def health(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    return JSONResponse({"status": "ok", "rooms": len(ctx.registry.rooms)})


async def openapi(_: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)


routes = [
    Route("/api/health", health, methods=["GET"]),
    Route("/api/openapi.json", openapi, methods=["GET"]),
    Route("/api/invoices", create_invoice, methods=["POST"]),
    Route("/api/invoices", list_invoices, methods=["GET"]),
    Route("/api/invoices/{invoice_id}", get_invoice, methods=["GET"]),
]
