"""Slack and Microsoft Teams notifications, and per-user notification settings (issue 17).

`chat_channels`: an organization's (or one person's) Slack or Teams incoming webhook, its URL
encrypted, and the kinds of notification it receives; `notification_settings`: what a person
wants by e-mail, and in which language.

Revision ID: 0025_chat
Revises: 0024_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_chat"
down_revision = "0024_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_channels",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("provider", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url_sealed", sa.Text(), nullable=False),
        sa.Column("url_hint", sa.String(300), nullable=False),
        sa.Column("kinds", sa.String(300), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(400), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(400), nullable=True),
        sa.Column("last_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_channels_org", "chat_channels", ["org_id"])
    op.create_index("ix_chat_channels_user", "chat_channels", ["user_id"])
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("email_kinds", sa.String(300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_index("ix_chat_channels_user", table_name="chat_channels")
    op.drop_index("ix_chat_channels_org", table_name="chat_channels")
    op.drop_table("chat_channels")
