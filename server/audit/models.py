"""The audit log's table.

The schema itself is created by Alembic migrations (server/core/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class AuditEvent(Base):
    """Who did what to whom, from where: one link of its organization's hash chain
    (server/audit/chain.py). Rows are only ever inserted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_org_at", "org_id", "at"),
        # One entry per place in each chain; entries without an organization are one chain.
        Index("ux_audit_events_chain", text("coalesce(org_id, '')"), "position", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    event: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    org_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    target: Mapped[str | None] = mapped_column(String(400), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(400), nullable=True)
    # Set when the session flushes (server/audit/append.py), never by hand.
    position: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
