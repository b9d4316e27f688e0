"""Workflow settings and named versions (issue 11).

`workflow_settings`: per organization, four-eyes (on by default) and the admin approval
threshold (amount and currency; none by default). `invoice_versions`: named points of an
invoice's update log (automatic at submit and approve, or named by an editor).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_settings",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("four_eyes", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("threshold_amount", sa.String(20), nullable=True),
        sa.Column("threshold_currency", sa.String(3), nullable=True),
        sa.Column("updated_by", sa.String(36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "invoice_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_invoice_versions_invoice_id", "invoice_versions", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_invoice_versions_invoice_id", "invoice_versions")
    op.drop_table("invoice_versions")
    op.drop_table("workflow_settings")
