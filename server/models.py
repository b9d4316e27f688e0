"""Database tables. The schema itself is created by Alembic migrations (server/migrations)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A user's role in one organization (SPEC section 1)."""

    __tablename__ = "memberships"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_org_created", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    number: Mapped[str | None] = mapped_column(String(35), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Derived from the document by the server (debounced), for listing without loading it.
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    issue_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    due_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    net: Mapped[str] = mapped_column(String(40), default="0.00")
    tax: Mapped[str] = mapped_column(String(40), default="0.00")
    gross: Mapped[str] = mapped_column(String(40), default="0.00")
    gross_value: Mapped[Decimal] = mapped_column(Numeric(24, 6, asdecimal=True), default=0)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    issue_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InvoiceUpdate(Base):
    """The attributed update log. Rows a snapshot supersedes are marked compacted, not deleted,
    so that history can still say who changed what."""

    __tablename__ = "invoice_updates"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    compacted: Mapped[bool] = mapped_column(Boolean, default=False)


class InvoiceSnapshot(Base):
    """The latest re-encoded document of an invoice, covering its log up to `seq`."""

    __tablename__ = "invoice_snapshots"
    __table_args__ = (UniqueConstraint("invoice_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- access control (issue 3) -----------------------------------------------------------------


class AuthSession(Base):
    """One sign-in: access tokens carry its id (`sid`), the refresh token is stored hashed.

    Revoking the row (logout, password change, reuse of a rotated refresh token) refuses every
    access token of the session at once, on HTTP and at WebSocket connect.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refresh_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TotpCredential(Base):
    """A user's TOTP secret, encrypted; `confirmed_at` is null until a first code proved it."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(300))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OrgSecurity(Base):
    """An organization's security policy (absent row: the defaults)."""

    __tablename__ = "org_security"

    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    require_totp: Mapped[bool] = mapped_column(Boolean, default=False)


class Invitation(Base):
    """A pending invitation of a user who has no password yet (stored hashed, expiring)."""

    __tablename__ = "invitations"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuthThrottle(Base):
    """Recent failed sign-in or code attempts for one key (an account or a client address)."""

    __tablename__ = "auth_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEvent(Base):
    """Who did what to whom, from where: authentication and authorization events."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    org_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    target: Mapped[str | None] = mapped_column(String(400), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(400), nullable=True)


class Customer(Base):
    """A customer record of an organization's catalogue, to fill an invoice's customer block."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_org_name", "org_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    vat_id: Mapped[str] = mapped_column(String(20), default="")
    siren: Mapped[str] = mapped_column(String(20), default="")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- comments and notifications (issue 6) ----------------------------------------------------


class CommentThread(Base):
    """A discussion anchored to a place in an invoice (docs/comments.md).

    `path` is a field or line path; for a text range it is the text's path and `range_start` /
    `range_end` are base64 Yjs relative positions created by the client, kept as they came.
    """

    __tablename__ = "comment_threads"
    __table_args__ = (Index("ix_comment_threads_invoice", "invoice_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    path: Mapped[str] = mapped_column(String(200))
    range_start: Mapped[str | None] = mapped_column(String(200), nullable=True)
    range_end: Mapped[str | None] = mapped_column(String(200), nullable=True)
    quote: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Comment(Base):
    """One message of a thread; a deleted one keeps its row with `body` set to null."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_thread", "thread_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("comment_threads.id"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str | None] = mapped_column(String(5000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CommentMention(Base):
    """A member of the invoice's organization mentioned in a comment."""

    __tablename__ = "comment_mentions"

    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Notification(Base):
    """An in-app notification (today: being mentioned in a comment), unread until `read_at`."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    thread_id: Mapped[str] = mapped_column(ForeignKey("comment_threads.id"))
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"))
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
