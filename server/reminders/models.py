"""Reminder settings, customers' opt-outs and the reminders sent (migration 0020)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class ReminderSettings(Base):
    """An organization's schedule: `steps` is a JSON list of {"days", "tone"}, days counted
    from the due date (negative: before it). No row: the default schedule, switched off."""

    __tablename__ = "reminder_settings"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    steps: Mapped[str] = mapped_column(Text)
    # The invoice's late-payment interest rate, % a year (French law: by default the ECB's
    # refinancing rate + 10 points); None: the late reminders show the indemnity alone.
    late_interest_rate: Mapped[str | None] = mapped_column(String(10), nullable=True)
    updated_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReminderOptOut(Base):
    """A catalogue customer who gets no scheduled reminders (a manual one still goes)."""

    __tablename__ = "reminder_opt_outs"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Reminder(Base):
    """A reminder sent (or, for a scheduled step, found not due any more: `skipped`, with the
    reason). One per invoice and scheduled step; manual ones have no step."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("invoice_id", "step"),
        Index("ix_reminders_invoice", "invoice_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: sent by hand
    days: Mapped[int] = mapped_column(Integer)  # from the due date, as the step said
    tone: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # sent | skipped
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message_id: Mapped[str | None] = mapped_column(ForeignKey("mail_messages.id"), nullable=True)
    outstanding: Mapped[str] = mapped_column(String(40))
    interest: Mapped[str] = mapped_column(String(40))
    indemnity: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
