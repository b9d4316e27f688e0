"""The public payment page (issue 16): each issued invoice's payment link, the payment
provider's events about our invoices (once per event id), and its card payments (once per
checkout session).

Revision ID: 0022_paypage
Revises: 0021_reconciliation
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_paypage"
down_revision = "0021_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pay_links",
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("link_id", sa.String(32), nullable=False, unique=True),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "provider_events",
        sa.Column("provider", sa.String(20), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(400), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_provider_events_org", "provider_events", ["org_id", "received_at"])
    op.create_table(
        "provider_payments",
        sa.Column("provider", sa.String(20), primary_key=True),
        sa.Column("session_id", sa.String(255), primary_key=True),
        sa.Column("payment_intent", sa.String(255), nullable=True),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("payment_id", sa.String(36), sa.ForeignKey("payments.id"), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_provider_payments_intent", "provider_payments", ["provider", "payment_intent"]
    )


def downgrade() -> None:
    op.drop_index("ix_provider_payments_intent", table_name="provider_payments")
    op.drop_table("provider_payments")
    op.drop_index("ix_provider_events_org", table_name="provider_events")
    op.drop_table("provider_events")
    op.drop_table("pay_links")
