"""The payment page's endpoints: the link for accountants (`/api/invoices/{id}/payment-link`),
the public page (`/pay/{token}`, its PDF and its card button) and the provider's webhook
(`/api/stripe/webhook`), thin over the service."""

from __future__ import annotations

import re
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.core.errors import BadRequest, Conflict, NotFound
from server.paypage import page as html
from server.paypage import service as paypage
from server.paypage.schemas import PaymentLink, WebhookAnswer

router = APIRouter(tags=["payment page"])

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]")
# The page is the invoice of someone who is not signed in: kept by no cache, indexed by no
# robot, framed by no site, and its address (the token) sent to no other site.
_PRIVATE: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
}


def _link_json(request: Request, found: paypage.Link) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "invoice_id": found.invoice_id,
        "url": f"{base}{found.path}",
        "created_at": found.created_at.isoformat(),
        "rotated_at": found.rotated_at.isoformat() if found.rotated_at else None,
    }


@router.get(
    "/api/invoices/{invoice_id}/payment-link",
    response_model=PaymentLink,
    responses=errors(401, 403, 404, 409),
    summary="The invoice's public payment page (made on first call)",
    description=(
        "Accountants and admins (`payment.manage`), on an issued invoice (409 `not_issued`; "
        "`not_an_invoice` for a credit note). The same URL on every call until it is rotated."
    ),
)
async def get_link(caller: Caller, ctx: Ctx, invoice_id: str, request: Request) -> Any:
    found = await paypage.link(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        key=ctx.settings.secret_key,
        ip=client_ip(request),
    )
    return _link_json(request, found)


@router.post(
    "/api/invoices/{invoice_id}/payment-link",
    response_model=PaymentLink,
    responses=errors(401, 403, 404, 409),
    summary="Replace the invoice's payment link: the previous one stops working at once",
    description="Accountants and admins (`payment.manage`). Audited.",
)
async def rotate_link(caller: Caller, ctx: Ctx, invoice_id: str, request: Request) -> Any:
    found = await paypage.link(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        key=ctx.settings.secret_key,
        ip=client_ip(request),
        rotate=True,
    )
    return _link_json(request, found)


@router.post(
    "/api/stripe/webhook",
    response_model=WebhookAnswer,
    responses=errors(400, 404),
    summary="Stripe's events (set this URL in the Stripe dashboard)",
    description=(
        "Signed by Stripe (`Stripe-Signature`, checked with STRIPE_WEBHOOK_SECRET: 400 and "
        "nothing changes when it does not verify); 404 when Stripe is not configured. "
        "`checkout.session.completed` and `checkout.session.async_payment_succeeded` record "
        "the card payment once per event and per checkout session; `charge.refunded` records "
        "a refund tied to the credit note its metadata names (`credit_note_id`), else keeps "
        "it for a person. Other types are answered 200 and ignored."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def stripe_webhook(ctx: Ctx, request: Request) -> Any:
    payload = await request.body()
    try:
        outcome = await paypage.handle_event(
            ctx.sessions, payload=payload, signature=request.headers.get("stripe-signature")
        )
    except paypage.BadSignature:
        raise BadRequest("the Stripe signature does not verify", code="bad_signature") from None
    return {"received": True, "outcome": outcome}


# -- the public page (no login: the token is the key) ------------------------------------------


def _not_found() -> Response:
    """The same plain 404 for every bad, rotated or unknown token: nothing revealed."""
    return Response("Not Found", status_code=404, media_type="text/plain", headers=_PRIVATE)


def _policy() -> str:
    chosen = paypage.provider()
    return html.security_policy(chosen.checkout_origin if chosen else None)


@router.get("/pay/{token}", include_in_schema=False)
async def pay_page(ctx: Ctx, token: str, request: Request) -> Response:
    try:
        found = await paypage.open_page(ctx.sessions, key=ctx.settings.secret_key, token=token)
    except NotFound:
        return _not_found()
    card_done = request.query_params.get("card") == "done"
    body = html.render(found, token=token, card_done=card_done)
    headers = {**_PRIVATE, "Content-Security-Policy": _policy()}
    return HTMLResponse(body, headers=headers)


@router.get("/pay/{token}/invoice.pdf", include_in_schema=False)
async def pay_pdf(ctx: Ctx, token: str) -> Response:
    try:
        data, number = await paypage.invoice_pdf(
            ctx.sessions, ctx.registry, ctx.store, key=ctx.settings.secret_key, token=token
        )
    except NotFound:
        return _not_found()
    filename = f"{_UNSAFE.sub('-', number)}.pdf"
    headers = {**_PRIVATE, "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(data, media_type="application/pdf", headers=headers)


@router.post("/pay/{token}/card", include_in_schema=False)
async def pay_by_card(ctx: Ctx, token: str, request: Request) -> Response:
    page_url = f"{str(request.base_url).rstrip('/')}/pay/{token}"
    try:
        url = await paypage.start_checkout(
            ctx.sessions,
            key=ctx.settings.secret_key,
            token=token,
            page_url=page_url,
            ip=client_ip(request),
        )
    except NotFound:
        return _not_found()
    except paypage.ProviderUnavailable:
        # Back to the page, which still offers the transfer; the payer may try again.
        return RedirectResponse(page_url, status_code=303, headers=_PRIVATE)
    except Conflict:
        return RedirectResponse(page_url, status_code=303, headers=_PRIVATE)
    return RedirectResponse(url, status_code=303, headers=_PRIVATE)
