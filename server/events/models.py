"""The events table (migration 0024)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class EventRow(Base):
    """One domain event, written in the transaction of its cause: it exists exactly when what
    it tells of happened. `id` is `msg_<32 hex>`, the `webhook-id` its webhooks carry."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_org_at", "org_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)  # JSON object
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
