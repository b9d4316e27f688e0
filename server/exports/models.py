"""What an issued invoice was rendered as, kept unchanged (migration 0013).

The first request for an issued invoice's PDF, Factur-X, UBL or CII renders it and stores the
bytes here; every later request serves these bytes, so a document that left Cofacture can
always be produced again identically, whatever templates or code changed since."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class IssuedRender(Base):
    __tablename__ = "issued_renders"
    __table_args__ = (UniqueConstraint("invoice_id", "format", "variant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    format: Mapped[str] = mapped_column(String(20))  # pdf | facturx | ubl | cii
    # The PDF's template and language ("classic/fr"); empty for the XML formats.
    variant: Mapped[str] = mapped_column(String(40), default="", server_default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
