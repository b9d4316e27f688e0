"""Payment reminders (issue 16): each organization's schedule and late-payment rate, customers'
opt-outs, and the reminders sent or skipped, one per invoice and scheduled step.

Revision ID: 0020_reminders
Revises: 0019_recurring
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_reminders"
down_revision = "0019_recurring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_settings",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("late_interest_rate", sa.String(10), nullable=True),
        sa.Column("updated_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reminder_opt_outs",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("tone", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("message_id", sa.String(36), sa.ForeignKey("mail_messages.id"), nullable=True),
        sa.Column("outstanding", sa.String(40), nullable=False),
        sa.Column("interest", sa.String(40), nullable=False),
        sa.Column("indemnity", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("invoice_id", "step"),
    )
    op.create_index("ix_reminders_invoice", "reminders", ["invoice_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_invoice", table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("reminder_opt_outs")
    op.drop_table("reminder_settings")
