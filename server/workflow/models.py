"""Tables of the invoice workflow: each invoice's workflow state and the log of its transitions.

The invoice's `status` and `number` belong to the invoices feature (written through
`server.invoices.service.set_state`); what only the workflow needs lives here. The schema
itself is created by Alembic migrations (server/core/migrations, 0010 and 0011)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from server.core.db import Base, UtcDateTime


class WorkflowState(Base):
    """One row per invoice that took a transition; an invoice without one is a fresh draft at
    version 0 (nothing bound, never submitted)."""

    __tablename__ = "invoice_workflow"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ever_submitted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    assignee_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    discarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    issue_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The seller profile as it was at issue (organization.Profile.as_dict()): later edits of the
    # profile never change an issued invoice.
    seller: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The document exactly as issued ({"invoice", "lines"}; its content_hash is approved_hash),
    # kept whole: what was issued never depends on replaying the update log (migration 0012).
    issued_document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Transition(Base):
    """One transition taken: who moved which invoice from what to what, when, and why."""

    __tablename__ = "invoice_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class WorkflowSettings(Base):
    """An organization's workflow rules (migration 0011); no row means the defaults: four-eyes
    on, no admin approval threshold."""

    __tablename__ = "workflow_settings"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=True)
    # Above this gross amount (a decimal string, in `threshold_currency`) only an admin approves.
    threshold_amount: Mapped[str | None] = mapped_column(String(20), nullable=True)
    threshold_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class InvoiceVersion(Base):
    """A named point of an invoice's update log: automatic at submit and approve, or named by an
    editor. `seq` is the last log entry the document had then; restore takes it as is."""

    __tablename__ = "invoice_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # auto | manual
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
