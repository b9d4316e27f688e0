"""The table of uploaded customer files waiting for their confirmation (migration 0027).

The schema itself is created by Alembic migrations (server/core/migrations, 0027)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class CustomerImport(Base):
    """A CSV file as uploaded: previews read it again with the mapping the user chose, the
    confirmation imports it once (`confirmed_at`). Gone an hour after its upload."""

    __tablename__ = "crm_imports"
    __table_args__ = (Index("ix_crm_imports_expires", "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filename: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary())
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    result: Mapped[str | None] = mapped_column(String(400), nullable=True)
