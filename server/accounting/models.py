"""The accounting export's table: an organization's chart of accounts (no row: the defaults).

The schema itself is created by Alembic migrations (server/core/migrations, 0026_accounting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class AccountingChart(Base):
    __tablename__ = "accounting_charts"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    # The chart as its API body (schemas.ChartModel), checked before it is stored.
    chart: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
