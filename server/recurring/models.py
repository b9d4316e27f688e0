"""Tables of recurring invoices (migration 0019): the schedules, and each period's run.

Dates are ISO 8601 strings ("YYYY-MM-DD", as the invoices' own), which sort as dates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Schedule(Base):
    """A draft each period, made from the template invoice's document as its owner's change.

    `resume_from`: periods running before this day are not made (the start; moved to the day
    of a resume or an edit, so that what a pause skipped stays skipped). `queued_through`: the
    run date of the last period queued by a sweep (the jobs' keys make a period once anyway)."""

    __tablename__ = "recurring_schedules"
    __table_args__ = (Index("ix_recurring_schedules_org", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    template_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    frequency: Mapped[str] = mapped_column(String(10))  # monthly | quarterly | yearly
    day: Mapped[str] = mapped_column(String(4))  # "1".."28" | "last"
    start_date: Mapped[str] = mapped_column(String(10))
    end_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mode: Mapped[str] = mapped_column(String(10))  # draft | submit
    status: Mapped[str] = mapped_column(String(10))  # active | paused
    resume_from: Mapped[str] = mapped_column(String(10))
    queued_through: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Run(Base):
    """One period of a schedule: the draft it made (`invoice_id`), or why it made none.

    Unique per (schedule, period start): with the job's idempotency key, the second guard
    against a period billed twice. `outcome`: pending (the draft exists, its content is being
    written), draft, submitted, refused (mode submit: kept as a draft, `reason` says why),
    skipped (no draft: `reason`)."""

    __tablename__ = "recurring_runs"
    __table_args__ = (UniqueConstraint("schedule_id", "period_start"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("recurring_schedules.id"))
    period_start: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[str] = mapped_column(String(10))
    run_date: Mapped[str] = mapped_column(String(10))
    invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoices.id"), nullable=True, index=True
    )
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
