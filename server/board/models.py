"""The board's table: an organization's priority weights (no row: the defaults).

The schema itself is created by Alembic migrations (server/core/migrations, 0015_board)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class BoardWeights(Base):
    __tablename__ = "board_weights"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    customer: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
