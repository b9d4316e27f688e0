"""The job table (migration 0018)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Job(Base):
    """One effect to bring about once: queued -> running (leased) -> done, or back to queued
    with a later `run_at` after a failure, or dead after the last attempt.

    `key` is the effect's idempotency key ("mail:<message id>", "reminder:<invoice>:<step>"):
    unique, so an effect asked for twice (two processes, a retried request, a catch-up after
    downtime) is one job. For a running job `run_at` is when its lease ends: a process that
    died mid-job leaves it due again."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    org_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    payload: Mapped[str] = mapped_column(Text)  # JSON
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
