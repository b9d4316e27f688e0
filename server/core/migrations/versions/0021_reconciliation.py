"""Bank reconciliation (issue 16): imported bank statements and their credit lines, one per
credit whatever the number of imports (unique per organization by the bank's reference of the
entry, else a hash of what it says), matched to invoices or ignored.

Revision ID: 0021_reconciliation
Revises: 0020_reminders
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_reconciliation"
down_revision = "0020_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("bank_id", sa.String(35), nullable=True),
        sa.Column("account", sa.String(34), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.Column("debits", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bank_statements_org", "bank_statements", ["org_id", "imported_at"])
    op.create_table(
        "statement_lines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column(
            "statement_id", sa.String(36), sa.ForeignKey("bank_statements.id"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("booking_date", sa.String(10), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(140), nullable=True),
        sa.Column("structured", sa.Boolean(), nullable=False),
        sa.Column("debtor", sa.String(140), nullable=True),
        sa.Column("bank_reference", sa.String(35), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=True),
        sa.Column("payment_id", sa.String(36), nullable=True),
        sa.Column("decided_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("org_id", "key", name="uq_statement_lines_key"),
    )
    op.create_index("ix_statement_lines_statement", "statement_lines", ["statement_id", "position"])
    op.create_index("ix_statement_lines_org_state", "statement_lines", ["org_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_statement_lines_org_state", table_name="statement_lines")
    op.drop_index("ix_statement_lines_statement", table_name="statement_lines")
    op.drop_table("statement_lines")
    op.drop_index("ix_bank_statements_org", table_name="bank_statements")
    op.drop_table("bank_statements")
