"""Tables of bank reconciliation (migration 0021): each imported statement, and each credit
line it brought, unique per organization by its de-duplication key.

The schema itself is created by Alembic migrations (server/core/migrations, 0021)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


class BankStatement(Base):
    """One import of a bank statement (camt.053 or CSV). Importing the same file again makes a
    new row whose `added` is 0: its lines were already known."""

    __tablename__ = "bank_statements"
    __table_args__ = (Index("ix_bank_statements_org", "org_id", "imported_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    format: Mapped[str] = mapped_column(String(10))  # "camt.053" or "csv"
    bank_id: Mapped[str | None] = mapped_column(String(35), nullable=True)  # Stmt/Id
    account: Mapped[str | None] = mapped_column(String(34), nullable=True)  # the IBAN
    added: Mapped[int] = mapped_column(Integer)  # credit lines new to the organization
    known: Mapped[int] = mapped_column(Integer)  # credit lines already imported before
    debits: Mapped[int] = mapped_column(Integer)  # debit (and reversed, pending) entries skipped
    imported_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StatementLine(Base):
    """A credit on the organization's account, waiting to be matched to an invoice (`state`
    "open"), matched (the payment it became) or ignored. `key` is the bank's reference of the
    entry, else a hash of its date, amount, reference, name and position: the same credit
    imported twice is one line."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint("org_id", "key", name="uq_statement_lines_key"),
        Index("ix_statement_lines_statement", "statement_id", "position"),
        Index("ix_statement_lines_org_state", "org_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    statement_id: Mapped[str] = mapped_column(ForeignKey("bank_statements.id"))
    position: Mapped[int] = mapped_column(Integer)  # its place in that statement
    key: Mapped[str] = mapped_column(String(80))
    booking_date: Mapped[str] = mapped_column(String(10))  # ISO 8601
    amount: Mapped[str] = mapped_column(String(40))  # decimal string in `currency`
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str | None] = mapped_column(String(140), nullable=True)
    structured: Mapped[bool] = mapped_column(default=False)  # `reference` is a CdtrRefInf/Ref
    debtor: Mapped[str | None] = mapped_column(String(140), nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(String(35), nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="open")
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), nullable=True)
    payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
