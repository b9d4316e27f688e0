"""/api/invoices: create, list and read invoices; thin handlers over the service functions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.invoices import service as invoices
from server.invoices.documents import read_document
from server.invoices.schemas import (
    CreateInvoice,
    HistoryPage,
    HistoryQuery,
    InvoiceDetail,
    InvoiceListQuery,
    InvoicePage,
    InvoiceSummary,
    RestoreRequest,
    RestoreResult,
)
from server.workflow import service as workflow

router = APIRouter(prefix="/api/invoices", tags=["invoices"], responses=errors(401))


@router.post(
    "",
    status_code=201,
    response_model=InvoiceSummary,
    responses=errors(400, 403, 404),  # 404: `org` is not one of the caller's
    summary="Create a draft in the caller's organization (`org` when several)",
)
async def create_invoice(caller: Caller, ctx: Ctx, body: CreateInvoice | None = None) -> Any:
    async with ctx.sessions.begin() as db:
        invoice = await invoices.create_invoice(
            db, user_id=caller.user_id, org_id=body.org if body else None
        )
    return invoices.summary(invoice)


@router.get(
    "",
    response_model=InvoicePage,
    responses=errors(400),
    summary="The invoices of the caller's organizations: filters, order, pages",
)
async def list_invoices(
    caller: Caller, ctx: Ctx, query: Annotated[InvoiceListQuery, Query()]
) -> Any:
    parsed = invoices.InvoiceQuery(
        org_id=query.org,
        statuses=tuple(query.status),
        search=query.q or None,
        due_before=query.due_before.isoformat() if query.due_before else None,
        due_after=query.due_after.isoformat() if query.due_after else None,
        sort=query.sort,
        limit=query.limit,
        offset=query.offset,
    )
    async with ctx.sessions() as db:
        org_ids = await invoices.listed_orgs(db, user_id=caller.user_id, org_id=parsed.org_id)
    # The caller may have just edited one of them. Before the session that reads the list:
    # on SQLite its read transaction would keep seeing the rows as they were.
    if ctx.settle_summaries is not None:
        await ctx.settle_summaries(org_ids)
    async with ctx.sessions() as db:
        found, total = await invoices.list_invoices(db, org_ids=org_ids, query=parsed)
        assigned = await workflow.assignees(db, [i.id for i in found])
    return {
        "items": [{**invoices.summary(i), "assignee_id": assigned.get(i.id)} for i in found],
        "total": total,
        "limit": parsed.limit,
        "offset": parsed.offset,
    }


@router.get(
    "/{invoice_id}",
    response_model=InvoiceDetail,
    responses=errors(404),
    summary="One invoice: document, server-computed totals and validation messages",
)
async def get_invoice(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
        assigned = await workflow.assignees(db, [found.invoice.id])
    document = await read_document(ctx.registry, ctx.store, found.invoice.id)
    detail = invoices.detail(found.invoice, document)
    return {**detail, "assignee_id": assigned.get(found.invoice.id)}


@router.get(
    "/{invoice_id}/history",
    response_model=HistoryPage,
    responses=errors(400, 404),
    summary="Who changed which field from what to what, and when: newest first, typing grouped",
)
async def get_history(
    caller: Caller, ctx: Ctx, invoice_id: str, query: Annotated[HistoryQuery, Query()]
) -> Any:
    return await invoices.history(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        before=query.before,
        limit=query.limit,
    )


@router.post(
    "/{invoice_id}/restore",
    response_model=RestoreResult,
    responses=errors(400, 403, 404, 409),  # 409: not a draft, or edits refused right now
    summary="Give a draft its content after update `seq`, as a new change every client gets",
)
async def restore(
    caller: Caller, ctx: Ctx, request: Request, invoice_id: str, body: RestoreRequest
) -> Any:
    return await invoices.restore(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        seq=body.seq,
        ip=client_ip(request),
    )
