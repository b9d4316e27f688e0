"""The payment endpoints, thin handlers over the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.payments import service as payments
from server.payments.schemas import (
    NewPayment,
    PaymentList,
    Receivables,
    ReceivablesQuery,
    RecordedPayment,
)

router = APIRouter(tags=["payments"], responses=errors(401))


@router.post(
    "/api/invoices/{invoice_id}/payments",
    status_code=201,
    response_model=RecordedPayment,
    responses=errors(400, 403, 404, 409, 422),
    summary="Record a payment (or a refund tied to a credit note) on an issued invoice",
    description=(
        "Accountants and admins (`payment.manage`). The invoice becomes `partially_paid` or "
        "`paid` (an overpayment is accepted: `invoice.overpaid` says by how much); a refund "
        "lowers what was paid, never below zero (409 `exceeds_paid`). 409 `not_issued` on an "
        "invoice that is not issued, `not_an_invoice` on a credit note; 422 for an amount "
        "that is zero, negative, not a number, too large or more precise than the currency. "
        "Audited."
    ),
)
async def record_payment(
    caller: Caller, ctx: Ctx, invoice_id: str, body: NewPayment, request: Request
) -> Any:
    entry = payments.Entry(
        kind=payments.Kind(body.kind),
        amount=body.amount,
        date=body.date,
        method=payments.Method(body.method),
        reference=body.reference,
        credit_note_id=body.credit_note_id,
    )
    return await payments.record(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        entry=entry,
        ip=client_ip(request),
    )


@router.get(
    "/api/invoices/{invoice_id}/payments",
    response_model=PaymentList,
    responses=errors(404),
    summary="An invoice's payments and refunds, and what is due, paid and outstanding",
)
async def list_payments(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    return await payments.overview(ctx.sessions, user_id=caller.user_id, invoice_id=invoice_id)


@router.get(
    "/api/receivables",
    response_model=Receivables,
    responses=errors(400, 403, 404),
    summary="What each customer owes on issued invoices, and the overdue part (any member)",
)
async def read_receivables(
    caller: Caller, ctx: Ctx, query: Annotated[ReceivablesQuery, Query()]
) -> Any:
    return await payments.receivables(ctx.sessions, user_id=caller.user_id, org_id=query.org)
