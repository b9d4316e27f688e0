"""Tables of payments (migration 0017): each payment or refund, and each invoice's running
account, the row that orders the recordings of one invoice.

The schema itself is created by Alembic migrations (server/core/migrations, 0017)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Payment(Base):
    """A payment received (`kind` "payment") or paid back (`kind` "refund", tied to a credit
    note of the invoice). `amount` is positive either way, a decimal string in the invoice's
    currency with its minor units; `org_id` is the invoice's, kept for the receivables."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_invoice", "invoice_id", "recorded_at"),
        Index("ix_payments_org", "org_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    date: Mapped[str] = mapped_column(String(10))  # when the money moved, ISO 8601
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(140), nullable=True)
    credit_note_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), nullable=True)
    # None: recorded by the system (a bank statement or the payment provider), not a person.
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentAccount(Base):
    """One row per invoice that had a payment: what was paid in all (payments less refunds).

    A recording locks it first (inserted if missing, which takes SQLite's write lock; then read
    FOR UPDATE on PostgreSQL), so two recordings on one invoice run one after the other and
    both count."""

    __tablename__ = "payment_accounts"
    __table_args__ = (Index("ix_payment_accounts_org", "org_id"),)

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    payments: Mapped[str] = mapped_column(String(40), default="0")
    refunds: Mapped[str] = mapped_column(String(40), default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
