"""HTTP JSON API under /api: thin handlers over the service functions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.auth.access import ctx_of, json_body, optional_text, principal
from server.core.openapi import OPENAPI
from server.invoices import service as invoices
from server.invoices.documents import read_document


async def create_invoice(request: Request) -> JSONResponse:
    claims = principal(request)
    data = await json_body(request)
    org_id = optional_text(data, "org", max_length=36)
    async with ctx_of(request).sessions.begin() as db:
        invoice = await invoices.create_invoice(db, user_id=claims.user_id, org_id=org_id)
    return JSONResponse(invoices.summary(invoice), status_code=201)


async def list_invoices(request: Request) -> JSONResponse:
    claims = principal(request)
    query = invoices.parse_query(request.query_params, request.query_params.getlist("status"))
    async with ctx_of(request).sessions() as db:
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
    claims = principal(request)
    ctx = ctx_of(request)
    invoice_id = request.path_params["invoice_id"]
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=claims.user_id, invoice_id=invoice_id)
    document = await read_document(ctx.registry, ctx.store, found.invoice.id)
    return JSONResponse(invoices.detail(found.invoice, document))


async def health(request: Request) -> JSONResponse:
    ctx = ctx_of(request)
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
