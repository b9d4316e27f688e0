"""Request and response bodies of the payment page's API routes: the source of their OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.core.api import Timestamp


class PaymentLink(BaseModel):
    invoice_id: str
    url: str = Field(
        description="the public payment page (`/pay/<token>`): anyone holding it sees the "
        "invoice and how to pay it, without signing in; rotate it to revoke it"
    )
    created_at: Timestamp
    rotated_at: Timestamp | None = Field(description="when the link was last replaced")


class WebhookAnswer(BaseModel):
    received: bool = True
    outcome: str = Field(
        description="what the event did: recorded, refunded, pending, duplicate (already "
        "counted: a replay, or another event of the same checkout), attention (kept for a "
        "person, see docs/paypage.md), ignored (not about one of our invoices, or a type "
        "we do not act on)"
    )
