"""Tables of invoice exceptions (issue 14): the exceptions, their threads, the experts.

The schema itself is created by Alembic migrations (server/core/migrations, 0016)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class InvoiceException(Base):
    """An invoice flagged as outside the normal path, routed to an expert until resolved.

    `org_id` is the invoice's, kept here so that the log of an organization is one indexed
    query. `expert_id` is who it was routed to when opened; None: the organization's admins."""

    __tablename__ = "invoice_exceptions"
    __table_args__ = (
        Index("ix_invoice_exceptions_org", "org_id", "opened_at"),
        Index("ix_invoice_exceptions_invoice", "invoice_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    category: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expert_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ExceptionComment(Base):
    """One message of an exception's own thread."""

    __tablename__ = "exception_comments"
    __table_args__ = (Index("ix_exception_comments_exception", "exception_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    exception_id: Mapped[str] = mapped_column(ForeignKey("invoice_exceptions.id"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(5000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExceptionExpert(Base):
    """The member an organization designates for a category; no row: its admins."""

    __tablename__ = "exception_experts"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
