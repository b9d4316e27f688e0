"""The outbox of transmissions to e-invoicing platforms (migration 0013)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Transmission(Base):
    """One issued invoice handed (or to be handed) to one platform adapter.

    Written in the issue's transaction, so an issued invoice is queued exactly when it is
    issued; the dispatcher moves it: pending -> sending (leased) -> sent, or back to pending
    with a later `next_attempt_at`, or failed after the last attempt."""

    __tablename__ = "transmissions"
    __table_args__ = (UniqueConstraint("invoice_id", "adapter"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    adapter: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When the next attempt may start; for a `sending` row, when its lease runs out.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
