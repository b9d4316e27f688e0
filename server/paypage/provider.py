"""The seam between the payment page and a card payment provider: what the page asks of one
(a checkout for an amount) and what it hears back (verified events, made provider-neutral).

Stripe is the one adapter (stripe_adapter.py); another provider implements `PaymentProvider`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class BadSignature(Exception):
    """An event whose signature does not verify: refused, nothing changes."""


class EventKind(StrEnum):
    PAID = "paid"  # a checkout's money has arrived
    PENDING = "pending"  # a checkout completed, its money not yet (a delayed method)
    REFUNDED = "refunded"  # a charge was refunded, in part or in full (cumulative amount)
    OTHER = "other"  # nothing we act on


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutRequest:
    invoice_id: str
    org_id: str
    number: str
    amount_minor: int  # the outstanding amount in the currency's minor units
    currency: str  # ISO 4217, upper case
    success_url: str
    cancel_url: str
    lang: str  # "en" or "fr"


@dataclass(frozen=True, slots=True)
class Checkout:
    id: str  # the provider's session id
    url: str  # where the payer goes to pay


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A verified event; the fields a kind does not carry are empty."""

    id: str
    type: str  # the provider's own name for it
    kind: EventKind
    created: datetime
    invoice_id: str | None = None  # what our metadata says
    org_id: str | None = None
    session_id: str | None = None
    payment_intent: str | None = None
    amount_minor: int | None = None  # paid, or refunded so far (REFUNDED)
    currency: str | None = None  # upper case
    credit_note_id: str | None = None  # a refund's, when its metadata names one
    charge_id: str | None = None


class PaymentProvider(Protocol):
    """A card payment provider as the payment page uses one."""

    name: str  # stored with its events ("stripe")
    checkout_origin: str  # where its checkout pages live (the page's CSP form-action)

    async def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """A hosted checkout for the amount; raises on any failure to create it."""
        ...

    def verify_event(self, payload: bytes, signature: str | None) -> Event:
        """The event of a webhook call, its signature checked; raises BadSignature."""
        ...


class ProviderUnavailable(Exception):
    """The provider could not make a checkout now (network, refusal): the payer may retry."""
