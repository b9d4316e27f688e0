"""Tables of invoices and their documents: the update log and snapshots.

The schema itself is created by Alembic migrations (server/core/migrations)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from server.core.db import Base, UtcDateTime


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_org_created", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # "invoice" or "credit_note" (EN 16931 type codes 380 and 381; server/credit_notes).
    kind: Mapped[str] = mapped_column(String(20), default="invoice", server_default="invoice")
    number: Mapped[str | None] = mapped_column(String(35), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Derived from the document by the server (debounced), for listing without loading it.
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Matches the invoice to its catalogue customer on the board (migration 0015_board).
    customer_vat_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    issue_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    due_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    net: Mapped[str] = mapped_column(String(40), default="0.00")
    tax: Mapped[str] = mapped_column(String(40), default="0.00")
    gross: Mapped[str] = mapped_column(String(40), default="0.00")
    gross_value: Mapped[Decimal] = mapped_column(Numeric(24, 6, asdecimal=True), default=0)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    issue_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class InvoiceUpdate(Base):
    """The attributed update log. Rows a snapshot supersedes are marked compacted, not deleted,
    so that history can still say who changed what."""

    __tablename__ = "invoice_updates"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    compacted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the entry could not be replayed on a load (collab/sync/store.py): later loads
    # skip it, the row stays for an operator.
    set_aside: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InvoiceSnapshot(Base):
    """The latest re-encoded document of an invoice, covering its log up to `seq`."""

    __tablename__ = "invoice_snapshots"
    __table_args__ = (UniqueConstraint("invoice_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- access control (issue 3) -----------------------------------------------------------------


class QuarantinedUpdate(Base):
    """A log entry or snapshot the database refused (issue 10, defect 12), kept for an
    operator instead of blocking the invoice's other updates. Loose columns on purpose."""

    __tablename__ = "invoice_update_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "update" or "snapshot"
    data: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
