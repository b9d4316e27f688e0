"""Payments (issue 16): payments and refunds recorded on issued invoices, and each invoice's
running account.

`payments` holds one row per payment or refund (a refund names the credit note it pays back),
with the organization kept beside the invoice for the receivables' query; `payment_accounts`
holds what was paid in all per invoice, and is the row a recording locks.

Revision ID: 0017_payments
Revises: 0016_exceptions
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_payments"
down_revision = "0016_exceptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(140), nullable=True),
        sa.Column("credit_note_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=True),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payments_invoice", "payments", ["invoice_id", "recorded_at"])
    op.create_index("ix_payments_org", "payments", ["org_id"])
    op.create_table(
        "payment_accounts",
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("payments", sa.String(40), nullable=False),
        sa.Column("refunds", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_payment_accounts_org", "payment_accounts", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_accounts_org", table_name="payment_accounts")
    op.drop_table("payment_accounts")
    op.drop_index("ix_payments_org", table_name="payments")
    op.drop_index("ix_payments_invoice", table_name="payments")
    op.drop_table("payments")
