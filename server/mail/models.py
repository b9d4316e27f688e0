"""Mail messages, their attachments and the organizations' own templates (migration 0018)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class MailMessage(Base):
    """One message as composed, kept whatever becomes of it: the record of what was sent to
    whom and when. `status`: `outbox` (no SMTP server configured: it waits here for an admin
    to read), `queued` (a delivery job exists), `sent`, `failed` (the job is dead)."""

    __tablename__ = "mail_messages"
    __table_args__ = (Index("ix_mail_messages_org", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoices.id"), nullable=True, index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))  # the template: "invoice", "reminder"...
    language: Mapped[str] = mapped_column(String(5))
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[str] = mapped_column(Text)  # JSON list of addresses
    copies: Mapped[str] = mapped_column(Text)  # JSON list of addresses (cc)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))  # the Message-ID header, stable
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class MailAttachment(Base):
    __tablename__ = "mail_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("mail_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class MailTemplate(Base):
    """An organization's own subject and body for one purpose and language (none: ours)."""

    __tablename__ = "mail_templates"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
