"""The table of uploaded customer files waiting for their confirmation (migration 0027).

The schema itself is created by Alembic migrations (server/core/migrations, 0027)."""

from __future__ import annotations

from sqlalchemy import Index

from server.spreadsheets.uploads import UploadedFile


class CustomerImport(UploadedFile):
    """A customer CSV file as uploaded (the columns of every upload): the confirmation imports
    it once."""

    __tablename__ = "crm_imports"
    __table_args__ = (Index("ix_crm_imports_expires", "expires_at"),)
