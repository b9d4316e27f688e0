"""Tables of an organization's customers and catalogue items.

The schema itself is created by Alembic migrations (server/core/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class Customer(Base):
    """A customer record of an organization's catalogue, to fill an invoice's customer block."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_org_name", "org_id", "name"),
        # Migration 0027_crm_time: NULL (no CRM key) is not a duplicate of another NULL.
        UniqueConstraint("org_id", "external_id", name="uq_customers_external_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    # The customer's key in the organization's CRM (server/crm matches on it first).
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True, default=None)
    email: Mapped[str] = mapped_column(String(320), default="")
    vat_id: Mapped[str] = mapped_column(String(20), default="")
    siren: Mapped[str] = mapped_column(String(20), default="")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # "normal", "important" or "key": a factor of the board's priority (migration 0015_board).
    importance: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")


class Item(Base):
    """A product or service of an organization's catalogue, to fill an invoice line."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_org_name", "org_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    unit: Mapped[str] = mapped_column(String(3), default="C62")
    unit_price: Mapped[str] = mapped_column(String(40))
    tax_rate: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- comments and notifications (issue 6) ----------------------------------------------------
