"""Tables of chat channels and of each person's notification settings (migration 0025)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class ChatChannel(Base):
    """A Slack or Teams incoming webhook and the kinds of notification it receives.

    An organization's channel (`user_id` null) is set up by its admins and receives what
    happens in the organization; a person's own channel (`user_id` set, `org_id` null)
    receives what concerns them in any of their organizations. `url_sealed` is the URL
    encrypted (urls.UrlBox); `url_hint` what the API shows of it."""

    __tablename__ = "chat_channels"
    __table_args__ = (
        Index("ix_chat_channels_org", "org_id"),
        Index("ix_chat_channels_user", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), nullable=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    provider: Mapped[str] = mapped_column(String(10))  # urls.Provider
    name: Mapped[str] = mapped_column(String(100))
    url_sealed: Mapped[str] = mapped_column(Text)
    url_hint: Mapped[str] = mapped_column(String(300))
    kinds: Mapped[str] = mapped_column(String(300))  # notices.Kind values, comma-separated
    language: Mapped[str] = mapped_column(String(5), default="en")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it was switched off by a delivery (the webhook is gone): shown until re-enabled.
    disabled_reason: Mapped[str | None] = mapped_column(String(400), nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # HTTP status
    last_error: Mapped[str | None] = mapped_column(String(400), nullable=True)
    last_delivery_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationSettings(Base):
    """What a person wants by e-mail and in which language (absent row: the defaults, mentions
    by e-mail in English)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5))
    email_kinds: Mapped[str] = mapped_column(String(300))  # notices.Kind values, comma-separated
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
