"""/api/invoices/{invoice_id}/comments: comment threads over HTTP, pushed live to the invoice.

Thin handlers over server/comments/service.py. After each committed change, everyone connected
to the invoice (in this process) gets a `comment` notice with the thread serialised by the same
model as the REST answer, and the notifiers get the new mention notifications.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.document import INVOICE_SHAPE
from server.auth.service import Caller, Capability, Principal, require
from server.comments import service as comments
from server.comments.anchors import parse_anchor
from server.comments.notifications import NOTIFIERS
from server.comments.schemas import (
    CommentText,
    MentionableList,
    NewThread,
    Thread,
    ThreadList,
    ThreadQuery,
)
from server.comments.service import Change, Event, ThreadStatus
from server.core.api import Ctx, errors
from server.core.context import AppContext
from server.invoices import service as invoices
from server.invoices.service import InvoiceAccess, read_document

Action = Callable[[AsyncSession, InvoiceAccess, set[str]], Awaitable[Change]]

_BASE = "/api/invoices/{invoice_id}/comments"
_THREAD = _BASE + "/{thread_id}"
_CHANGE = errors(400, 403, 404, 409)  # what a change to a thread can answer

router = APIRouter(tags=["comments"], responses=errors(401))


async def _rows(ctx: AppContext, invoice_id: str) -> set[str]:
    """The invoice's current rows (live if it is open) as `<root>.<row id>` (`lines.l1`), to
    mark orphaned threads (`Anchor.row`)."""
    document = await read_document(ctx.registry, ctx.store, invoice_id)
    return {
        f"{rows.root}.{row[rows.row_id]}"
        for rows in INVOICE_SHAPE.rows
        for row in document.get(rows.root) or []
        if isinstance(row, dict) and isinstance(row.get(rows.row_id), str)
    }


async def _apply(caller: Principal, ctx: AppContext, invoice_id: str, action: Action) -> Thread:
    """Run a change in one transaction, then tell the room and the notifiers."""
    async with ctx.sessions.begin() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        rows = await _rows(ctx, found.invoice.id)
        change = await action(db, found, rows)
        [raw] = await comments.as_json(db, [change.thread], rows)
    thread = Thread.model_validate(raw)
    # The same model serialises the notice and the answer.
    notice = {"type": "comment", "event": change.event.value}
    ctx.registry.announce(found.invoice.id, {**notice, "thread": thread.model_dump(mode="json")})
    await NOTIFIERS.dispatch(change.deliveries)
    return thread


@router.get(
    _BASE,
    response_model=ThreadList,
    responses=errors(400, 404),
    summary="The invoice's comment threads with their comments (every member)",
)
async def list_threads(
    caller: Caller, ctx: Ctx, invoice_id: str, query: Annotated[ThreadQuery, Query()]
) -> Any:
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        rows = await _rows(ctx, found.invoice.id)
        threads = await comments.threads_of(db, found.invoice.id, status=query.status)
        listed = await comments.as_json(db, threads, rows)
    return {"threads": listed, "open": sum(t["status"] == ThreadStatus.OPEN for t in listed)}


@router.post(
    _BASE,
    status_code=201,
    response_model=Thread,
    responses=_CHANGE,
    summary="Start a thread on a field, a line or a text range (reviewers and above)",
)
async def create_thread(caller: Caller, ctx: Ctx, invoice_id: str, new: NewThread) -> Thread:
    given = new.anchor
    anchor = parse_anchor(given.path, start=given.start, end=given.end, quote=given.quote)

    async def action(db: AsyncSession, found: InvoiceAccess, rows: set[str]) -> Change:
        return await comments.create_thread(
            db, found=found, anchor=anchor, body=new.body, rows=rows
        )

    return await _apply(caller, ctx, invoice_id, action)


@router.get(_THREAD, response_model=Thread, responses=errors(404), summary="One thread")
async def get_thread(caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str) -> Any:
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        thread = await comments.find_thread(db, found, thread_id)
        rows = await _rows(ctx, found.invoice.id)
        [answer] = await comments.as_json(db, [thread], rows)
    return answer


@router.post(
    _THREAD + "/comments",
    status_code=201,
    response_model=Thread,
    responses=_CHANGE,
    summary="Reply; the new comment is last",
)
async def reply(
    caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str, text: CommentText
) -> Thread:
    async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.reply(db, found=found, thread_id=thread_id, body=text.body)

    return await _apply(caller, ctx, invoice_id, action)


@router.patch(
    _THREAD + "/comments/{comment_id}",
    response_model=Thread,
    responses=_CHANGE,
    summary="Edit one's own comment; members it newly mentions are notified",
)
async def edit_comment(
    caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str, comment_id: str, text: CommentText
) -> Thread:
    async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.edit(
            db, found=found, thread_id=thread_id, comment_id=comment_id, body=text.body
        )

    return await _apply(caller, ctx, invoice_id, action)


@router.delete(
    _THREAD + "/comments/{comment_id}",
    response_model=Thread,
    responses=_CHANGE,
    summary="Delete one's own comment (it stays, marked deleted, without its text)",
)
async def delete_comment(
    caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str, comment_id: str
) -> Thread:
    async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.remove(db, found=found, thread_id=thread_id, comment_id=comment_id)

    return await _apply(caller, ctx, invoice_id, action)


async def _set_status(
    caller: Principal, ctx: AppContext, invoice_id: str, thread_id: str, event: Event
) -> Thread:
    async def action(db: AsyncSession, found: InvoiceAccess, _: set[str]) -> Change:
        return await comments.set_status(db, found=found, thread_id=thread_id, event=event)

    return await _apply(caller, ctx, invoice_id, action)


@router.post(
    _THREAD + "/resolve",
    response_model=Thread,
    responses=_CHANGE,
    summary="Resolve an open thread (409 if it is resolved)",
)
async def resolve(caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str) -> Thread:
    return await _set_status(caller, ctx, invoice_id, thread_id, Event.RESOLVED)


@router.post(
    _THREAD + "/reopen",
    response_model=Thread,
    responses=_CHANGE,
    summary="Reopen a resolved thread (409 if it is open)",
)
async def reopen(caller: Caller, ctx: Ctx, invoice_id: str, thread_id: str) -> Thread:
    return await _set_status(caller, ctx, invoice_id, thread_id, Event.REOPENED)


@router.get(
    "/api/orgs/{org}/mentionable",
    response_model=MentionableList,
    responses=errors(403, 404),  # 403: the organization requires two factors first
    summary="Members who can be @mentioned, with the handle that names each one",
)
async def mentionable(caller: Caller, ctx: Ctx, org: str) -> Any:
    async with ctx.sessions() as db:
        member = await require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.INVOICE_READ
        )
        found = await comments.mentionable(db, member.org_id)
    return {"items": found}
