"""The link of each credit note to the invoice it credits (migration 0012).

The credit note itself is an invoice row of kind `credit_note` (the invoices feature's table),
moved by the same workflow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class CreditNote(Base):
    __tablename__ = "credit_notes"

    credit_note_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    original_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    whole: Mapped[bool] = mapped_column(Boolean)  # made from every line of the original
    # The gross it credits, a decimal string in the original's currency: written at its issue,
    # from the frozen document; None until then (drafts credit nothing).
    gross: Mapped[str | None] = mapped_column(String(40), nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
