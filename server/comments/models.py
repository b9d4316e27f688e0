"""Tables of comment threads, comments, mentions and notifications.

The schema itself is created by Alembic migrations (server/core/migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UtcDateTime


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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Comment(Base):
    """One message of a thread; a deleted one keeps its row with `body` set to null."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_thread", "thread_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("comment_threads.id"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str | None] = mapped_column(String(5000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
