"""The exception endpoints, thin handlers over the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.exceptions import service as exceptions
from server.exceptions.schemas import (
    CommentList,
    CommentModel,
    ExceptionList,
    ExceptionLog,
    ExceptionModel,
    Experts,
    LogQuery,
    NewComment,
    NewException,
    Resolution,
)

router = APIRouter(tags=["exceptions"], responses=errors(401))


@router.post(
    "/api/invoices/{invoice_id}/exceptions",
    status_code=201,
    response_model=ExceptionModel,
    responses=errors(400, 403, 404, 409),
    summary="Flag an invoice with an exception, routed to its category's expert",
    description=(
        "Editors, approvers, accountants and admins (`exception.open`). Routed to the member "
        "an admin designated for the category, else to the organization's admins. 409 on a "
        "discarded invoice. Audited."
    ),
)
async def open_exception(
    caller: Caller, ctx: Ctx, invoice_id: str, body: NewException, request: Request
) -> Any:
    return await exceptions.open_exception(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        category=body.category,
        note=body.note,
        ip=client_ip(request),
    )


@router.get(
    "/api/invoices/{invoice_id}/exceptions",
    response_model=ExceptionList,
    responses=errors(404),
    summary="An invoice's exceptions (every member who reads the invoice)",
)
async def list_exceptions(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    async with ctx.sessions() as db:
        items = await exceptions.of_invoice(db, user_id=caller.user_id, invoice_id=invoice_id)
    return {"items": items}


@router.post(
    "/api/exceptions/{exception_id}/resolve",
    response_model=ExceptionModel,
    responses=errors(400, 403, 404, 409),
    summary="Resolve an exception (its expert or an admin); audited",
)
async def resolve(
    caller: Caller, ctx: Ctx, exception_id: str, body: Resolution, request: Request
) -> Any:
    return await exceptions.resolve(
        ctx.sessions,
        user_id=caller.user_id,
        exception_id=exception_id,
        resolution=body.resolution,
        ip=client_ip(request),
    )


@router.post(
    "/api/exceptions/{exception_id}/comments",
    status_code=201,
    response_model=CommentModel,
    responses=errors(400, 403, 404, 409),
    summary="Write in an exception's thread (whoever may comment); audited",
)
async def comment(
    caller: Caller, ctx: Ctx, exception_id: str, body: NewComment, request: Request
) -> Any:
    async with ctx.sessions.begin() as db:
        return await exceptions.add_comment(
            db,
            user_id=caller.user_id,
            exception_id=exception_id,
            body=body.body,
            ip=client_ip(request),
        )


@router.get(
    "/api/exceptions/{exception_id}/comments",
    response_model=CommentList,
    responses=errors(404),
    summary="An exception's thread, oldest first",
)
async def thread(caller: Caller, ctx: Ctx, exception_id: str) -> Any:
    async with ctx.sessions() as db:
        items = await exceptions.comments(db, user_id=caller.user_id, exception_id=exception_id)
    return {"items": items}


@router.get(
    "/api/orgs/{org}/exception-experts",
    response_model=Experts,
    responses=errors(403, 404),
    summary="Who each category of exception is routed to (admins)",
)
async def read_experts(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        return await exceptions.experts(db, user_id=caller.user_id, org_id=org)


@router.put(
    "/api/orgs/{org}/exception-experts",
    response_model=Experts,
    responses=errors(400, 403, 404),
    summary="Designate the expert of each category (admins); null routes to the admins",
    description="A category left out is routed to the admins. Audited when something changes.",
)
async def write_experts(caller: Caller, ctx: Ctx, org: str, body: Experts, request: Request) -> Any:
    async with ctx.sessions.begin() as db:
        return await exceptions.set_experts(
            db, user_id=caller.user_id, org_id=org, new=body.model_dump(), ip=client_ip(request)
        )


@router.get(
    "/api/orgs/{org}/exceptions",
    response_model=ExceptionLog,
    responses=errors(400, 404),
    summary="The organization's exception log: exceptions and counts per category per month",
)
async def exception_log(
    caller: Caller, ctx: Ctx, org: str, query: Annotated[LogQuery, Query()]
) -> Any:
    wanted = exceptions.LogQuery(query.from_, query.to, query.category, query.status)
    async with ctx.sessions() as db:
        return await exceptions.exception_log(db, user_id=caller.user_id, org_id=org, query=wanted)
