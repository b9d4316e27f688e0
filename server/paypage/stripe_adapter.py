"""Stripe behind `PaymentProvider`, through the official `stripe` library: Checkout Sessions
for the outstanding amount, and webhook events verified by the library's own
`stripe.Webhook.construct_event` (docs/paypage.md).

Only the library talks to Stripe; `api_base` points it elsewhere (stripe-mock, the tests' fake
server) and nothing here knows about invoices beyond the ids it puts in the metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

import stripe

from server.paypage.provider import (
    BadSignature,
    Checkout,
    CheckoutRequest,
    Event,
    EventKind,
    ProviderUnavailable,
)

log = logging.getLogger(__name__)

_SESSION_PAID: Final = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
_TIMEOUT: Final = 20.0  # seconds: the payer is waiting on the page's button


class StripeProvider:
    name = "stripe"
    checkout_origin = "https://checkout.stripe.com"

    def __init__(self, *, secret_key: str, webhook_secret: str, api_base: str | None) -> None:
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(timeout=_TIMEOUT),
            max_network_retries=2,  # the library sends an idempotency key with each retry
        )

    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {"invoice_id": request.invoice_id, "org_id": request.org_id}
        params: Any = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.number},
                    },
                }
            ],
            "client_reference_id": request.invoice_id,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": request.number},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": request.lang,
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(params)
        except stripe.StripeError as exc:
            log.warning("Stripe refused a checkout for invoice %s: %s", request.invoice_id, exc)
            raise ProviderUnavailable(str(exc)) from None
        if not session.url:
            raise ProviderUnavailable("Stripe answered a session without a URL")
        return Checkout(id=session.id, url=session.url)

    def verify_event(self, payload: bytes, signature: str | None) -> Event:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise BadSignature(str(exc)) from None
        return parse(event.to_dict())


def parse(event: Mapping[str, Any]) -> Event:
    """Our view of a verified Stripe event (its JSON as a mapping)."""
    kind, obj = event.get("type", ""), _mapping(_mapping(event.get("data")).get("object"))
    base = Event(
        id=str(event.get("id", "")),
        type=str(kind),
        kind=EventKind.OTHER,
        created=datetime.fromtimestamp(int(event.get("created") or 0), UTC),
    )
    if kind in _SESSION_PAID:
        metadata = _mapping(obj.get("metadata"))
        invoice_id = _text(metadata.get("invoice_id"))
        if _text(obj.get("client_reference_id")) != invoice_id:
            invoice_id = None  # the two places we wrote it disagree: not one of our sessions
        paid = obj.get("payment_status") == "paid"
        return replace(
            base,
            kind=EventKind.PAID if paid else EventKind.PENDING,
            invoice_id=invoice_id,
            org_id=_text(metadata.get("org_id")),
            session_id=_text(obj.get("id")),
            payment_intent=_id(obj.get("payment_intent")),
            amount_minor=_int(obj.get("amount_total")),
            currency=(_text(obj.get("currency")) or "").upper() or None,
        )
    if kind == "charge.refunded":
        refunds = _mapping(obj.get("refunds")).get("data")
        latest = _mapping(refunds[0]) if isinstance(refunds, list) and refunds else {}
        credit_note = _text(_mapping(latest.get("metadata")).get("credit_note_id")) or _text(
            _mapping(obj.get("metadata")).get("credit_note_id")
        )
        return replace(
            base,
            kind=EventKind.REFUNDED,
            payment_intent=_id(obj.get("payment_intent")),
            amount_minor=_int(obj.get("amount_refunded")),
            currency=(_text(obj.get("currency")) or "").upper() or None,
            credit_note_id=credit_note,
            charge_id=_text(obj.get("id")),
        )
    return base


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _id(value: object) -> str | None:
    """An id, or the id of an expanded object."""
    return _text(value) or _text(_mapping(value).get("id"))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
