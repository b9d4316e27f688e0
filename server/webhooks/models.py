"""Webhook endpoints, their delivery log and the notices told to admins (migration 0024)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Endpoint(Base):
    """Where an organization's events go. `events` is a JSON list of event types; `secret` is
    the `whsec_...` signing key sealed (signing.SecretBox: signing needs it back, so no hash).

    `failing_since` is the first failed attempt since the last success, `exhausted` how many
    events in a row were given up on: either past its bound disables the endpoint."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_org", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    exhausted: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Attempt(Base):
    """One attempt to deliver one event to one endpoint: the delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint", "endpoint_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    event_id: Mapped[str] = mapped_column(String(36))  # the webhook-id
    event_type: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    response: Mapped[str | None] = mapped_column(String(500), nullable=True)  # its first bytes
    # succeeded | retrying (another attempt is queued) | failed (given up) | disabled (410)
    outcome: Mapped[str] = mapped_column(String(10))
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Notice(Base):
    """An in-app notice to an admin: an endpoint was disabled."""

    __tablename__ = "webhook_notices"
    __table_args__ = (Index("ix_webhook_notices_user", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
