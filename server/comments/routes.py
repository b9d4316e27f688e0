"""/api/invoices/{invoice_id}/comments: comment threads over HTTP, pushed live to the invoice.

Thin handlers over server/comments.py. After each committed change, everyone connected to the
invoice (in this process) gets a `comment` notice with the thread as GET returns it, and the
notifiers get the new mention notifications.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.auth import members
from server.auth.access import json_body, principal
from server.auth.permissions import Capability
from server.comments import service as comments
from server.comments.anchors import parse_anchor
from server.comments.notifications import NOTIFIERS
from server.comments.service import Change, Event, ThreadStatus
from server.core.api import ctx_of
from server.core.context import AppContext
from server.core.errors import BadRequest
from server.invoices import service as invoices
from server.invoices.documents import read_document
from server.invoices.service import InvoiceAccess

Action = Callable[[AsyncSession, InvoiceAccess, set[str]], Awaitable[Change]]


async def _line_ids(ctx: AppContext, invoice_id: str) -> set[str]:
    """Ids of the invoice's current lines (live if it is open), to mark orphaned threads."""
    document = await read_document(ctx.registry, ctx.store, invoice_id)
    return {
        line["id"]
        for line in document["lines"]
        if isinstance(line, dict) and isinstance(line.get("id"), str)
    }


async def list_threads(request: Request) -> JSONResponse:
    claims = principal(request)
    ctx = ctx_of(request)
    raw = request.query_params.get("status")
    if raw is not None and raw not in {s.value for s in ThreadStatus}:
        raise BadRequest("`status` must be open or resolved")
    async with ctx.sessions() as db:
        found = await invoices.access(
            db, user_id=claims.user_id, invoice_id=request.path_params["invoice_id"]
        )
        lines = await _line_ids(ctx, found.invoice.id)
        threads = await comments.threads_of(
            db, found.invoice.id, status=ThreadStatus(raw) if raw else None
        )
        listed = await comments.as_json(db, threads, lines)
    return JSONResponse(
        {"threads": listed, "open": sum(t["status"] == ThreadStatus.OPEN for t in listed)}
    )


async def get_thread(request: Request) -> JSONResponse:
    claims = principal(request)
    ctx = ctx_of(request)
    async with ctx.sessions() as db:
        found = await invoices.access(
            db, user_id=claims.user_id, invoice_id=request.path_params["invoice_id"]
        )
        thread = await comments.find_thread(db, found, request.path_params["thread_id"])
        lines = await _line_ids(ctx, found.invoice.id)
        [answer] = await comments.as_json(db, [thread], lines)
    return JSONResponse(answer)


async def _apply(request: Request, action: Action, *, status: int = 200) -> JSONResponse:
    """Run a change in one transaction, then tell the room and the notifiers."""
    claims = principal(request)
    ctx = ctx_of(request)
    async with ctx.sessions.begin() as db:
        found = await invoices.access(
            db, user_id=claims.user_id, invoice_id=request.path_params["invoice_id"]
        )
        lines = await _line_ids(ctx, found.invoice.id)
        change = await action(db, found, lines)
        [thread] = await comments.as_json(db, [change.thread], lines)
    room = ctx.registry.get(found.invoice.id)
    if room is not None:
        room.notify({"type": "comment", "event": change.event.value, "thread": thread})
    await NOTIFIERS.dispatch(change.deliveries)
    return JSONResponse(thread, status_code=status)


async def mentionable(request: Request) -> JSONResponse:
    """Who can be mentioned in the organization, for the composer's suggestions (members)."""
    claims = principal(request)
    async with ctx_of(request).sessions() as db:
        member = await members.require(
            db,
            user_id=claims.user_id,
            org_id=request.path_params["org"],
            capability=Capability.INVOICE_READ,
        )
        found = await comments.mentionable(db, member.org_id)
    return JSONResponse({"items": found})


def _only(data: dict[str, Any], *allowed: str) -> dict[str, Any]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise BadRequest(f"unknown field {sorted(unknown)[0]!r}")
    return data


async def create_thread(request: Request) -> JSONResponse:
    data = _only(await json_body(request), "anchor", "body")
    anchor = parse_anchor(data.get("anchor"))
    body = comments.clean_body(data.get("body"))

    async def action(db: AsyncSession, found: InvoiceAccess, lines: set[str]) -> Change:
        return await comments.create_thread(
            db, found=found, anchor=anchor, body=body, line_ids=lines
        )

    return await _apply(request, action, status=201)


async def reply(request: Request) -> JSONResponse:
    body = comments.clean_body(_only(await json_body(request), "body").get("body"))
    thread_id = request.path_params["thread_id"]

    async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.reply(db, found=found, thread_id=thread_id, body=body)

    return await _apply(request, action, status=201)


async def one_comment(request: Request) -> JSONResponse:
    thread_id = request.path_params["thread_id"]
    comment_id = request.path_params["comment_id"]
    if request.method == "DELETE":

        async def remove(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
            return await comments.remove(
                db, found=found, thread_id=thread_id, comment_id=comment_id
            )

        return await _apply(request, remove)
    body = comments.clean_body(_only(await json_body(request), "body").get("body"))

    async def edit(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.edit(
            db, found=found, thread_id=thread_id, comment_id=comment_id, body=body
        )

    return await _apply(request, edit)


def _status_route(event: Event) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def handler(request: Request) -> JSONResponse:
        thread_id = request.path_params["thread_id"]

        async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
            return await comments.set_status(db, found=found, thread_id=thread_id, event=event)

        return await _apply(request, action)

    return handler


_BASE = "/api/invoices/{invoice_id}/comments"

routes = [
    Route(_BASE, list_threads, methods=["GET"]),
    Route(_BASE, create_thread, methods=["POST"]),
    Route(f"{_BASE}/{{thread_id}}", get_thread, methods=["GET"]),
    Route(f"{_BASE}/{{thread_id}}/comments", reply, methods=["POST"]),
    Route(
        f"{_BASE}/{{thread_id}}/comments/{{comment_id}}", one_comment, methods=["PATCH", "DELETE"]
    ),
    Route(f"{_BASE}/{{thread_id}}/resolve", _status_route(Event.RESOLVED), methods=["POST"]),
    Route(f"{_BASE}/{{thread_id}}/reopen", _status_route(Event.REOPENED), methods=["POST"]),
    Route("/api/orgs/{org}/mentionable", mentionable, methods=["GET"]),
]
