"""Comment threads on invoices, their comments and mentions, and in-app notifications.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "comment_threads",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("range_start", sa.String(200), nullable=True),
        sa.Column("range_end", sa.String(200), nullable=True),
        sa.Column("quote", sa.String(500), nullable=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.Column("resolved_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        _when("resolved_at", nullable=True),
    )
    op.create_index("ix_comment_threads_invoice", "comment_threads", ["invoice_id", "created_at"])
    op.create_table(
        "comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("thread_id", sa.String(36), sa.ForeignKey("comment_threads.id"), nullable=False),
        sa.Column("author_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("body", sa.String(5000), nullable=True),
        _when("created_at"),
        _when("edited_at", nullable=True),
        _when("deleted_at", nullable=True),
    )
    op.create_index("ix_comments_thread", "comments", ["thread_id", "created_at"])
    op.create_table(
        "comment_mentions",
        sa.Column("comment_id", sa.String(36), sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("thread_id", sa.String(36), sa.ForeignKey("comment_threads.id"), nullable=False),
        sa.Column("comment_id", sa.String(36), sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("actor_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        _when("created_at"),
        _when("read_at", nullable=True),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_user", "notifications")
    op.drop_table("notifications")
    op.drop_table("comment_mentions")
    op.drop_index("ix_comments_thread", "comments")
    op.drop_table("comments")
    op.drop_index("ix_comment_threads_invoice", "comment_threads")
    op.drop_table("comment_threads")
