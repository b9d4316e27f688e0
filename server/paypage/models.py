"""Tables of the payment page (migration 0022): each invoice's link, the provider's events as
received, and the card payments they recorded, one per checkout session.

The schema itself is created by Alembic migrations (server/core/migrations, 0022)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class PayLink(Base):
    """An invoice's payment link. The token is not stored: it is `link_id` and an HMAC of it
    with SECRET_KEY (links.py), so the table alone opens no page. Rotating draws a new
    `link_id`: the old token then names nothing."""

    __tablename__ = "pay_links"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    link_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ProviderEvent(Base):
    """An event of the payment provider about one of our invoices, once per event id: a replay
    finds its row and changes nothing. `outcome`: recorded, refunded, pending, duplicate,
    attention (a person must look: docs/paypage.md)."""

    __tablename__ = "provider_events"
    __table_args__ = (Index("ix_provider_events_org", "org_id", "received_at"),)

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(400), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProviderPayment(Base):
    """The card payment of one checkout session, once per session whatever events tell of it;
    `refunded_minor` is how much of it the provider said was refunded (in minor units), so a
    refund event counts only what is new."""

    __tablename__ = "provider_payments"
    __table_args__ = (Index("ix_provider_payments_intent", "provider", "payment_intent"),)

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    payment_intent: Mapped[str | None] = mapped_column(String(255), nullable=True)
    event_id: Mapped[str] = mapped_column(String(255))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    payment_id: Mapped[str | None] = mapped_column(ForeignKey("payments.id"), nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
