"""Tables of an organization's seller profile and its number series.

The schema itself is created by Alembic migrations (server/core/migrations, 0009 and 0014)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from server.core.db import Base, UtcDateTime


class SellerProfile(Base):
    """Who issues the organization's invoices: legal identity, address, bank, legal mentions.

    Identifiers are stored compact (no spaces), as checked by python-stdnum."""

    __tablename__ = "org_profiles"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    siren: Mapped[str] = mapped_column(String(14))  # SIREN (9 digits) or SIRET (14)
    vat_id: Mapped[str] = mapped_column(String(20))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    payment_terms: Mapped[str] = mapped_column(String(500), default="")
    payment_days: Mapped[int] = mapped_column(Integer, default=30)
    # {late_payment_rate, recovery_indemnity, early_payment_discount, text}: see schemas.py.
    legal_mentions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The seller pays VAT on debits (a mention French e-invoices carry; migration 0014).
    vat_on_debits: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


class NumberSeries(Base):
    """One counter of legal numbers of an organization (`invoice`, `credit_note`).

    `next_value` is the number the next issue takes in counter `year` (the issue year for a
    series that resets yearly, 0 for one that never does). Only `allocate_number` moves it, by
    one conditional UPDATE in the issuing transaction: a rolled-back issue leaves it as it was."""

    __tablename__ = "number_series"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(60))
    reset: Mapped[str] = mapped_column(String(10))  # collab.invoice.numbering.Reset
    year: Mapped[int] = mapped_column(Integer)
    next_value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Branding(Base):
    """The colour and logo the PDF templates use (migration 0014); no row: their defaults."""

    __tablename__ = "org_branding"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    color: Mapped[str | None] = mapped_column(String(7), nullable=True)  # "#rrggbb"
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(20), nullable=True)  # image/png, jpeg
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
