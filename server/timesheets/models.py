"""The table of uploaded time-entry files waiting for their confirmation (migration 0027).

The schema itself is created by Alembic migrations (server/core/migrations, 0027)."""

from __future__ import annotations

from sqlalchemy import Index

from server.spreadsheets.uploads import UploadedFile


class TimeImport(UploadedFile):
    """A time-entry CSV file as uploaded (the columns of every upload): the confirmation adds
    its lines once."""

    __tablename__ = "time_imports"
    __table_args__ = (Index("ix_time_imports_expires", "expires_at"),)
