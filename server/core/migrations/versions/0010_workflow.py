"""The invoice workflow (issue 11): each invoice's workflow state and its transitions log.

`invoice_workflow`: version, the hashes bound at submit and approve, the approval, whether the
invoice was ever submitted, its assignee, discard and issue times, the stamped seller profile.
`invoice_transitions`: one row per transition (action, from, to, actor, time, reason).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_workflow",
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("submitted_hash", sa.String(64), nullable=True),
        sa.Column("approved_hash", sa.String(64), nullable=True),
        sa.Column("approved_by", sa.String(36), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ever_submitted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("assignee_id", sa.String(36), nullable=True),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issue_date", sa.String(10), nullable=True),
        sa.Column("seller", sa.JSON, nullable=True),
    )
    op.create_table(
        "invoice_transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=False),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_invoice_transitions_invoice_id", "invoice_transitions", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_invoice_transitions_invoice_id", "invoice_transitions")
    op.drop_table("invoice_transitions")
    op.drop_table("invoice_workflow")
