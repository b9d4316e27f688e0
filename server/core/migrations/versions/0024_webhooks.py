"""Domain events and outgoing webhooks (issue 17).

Revision ID: 0024_webhooks
Revises: 0023_api_tokens
"""

revision = "0024_webhooks"
down_revision = "0023_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
