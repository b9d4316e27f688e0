"""Recurring invoices (issue 16): schedules made from an invoice, and each period's run (the
draft it made), unique per schedule and period.

Revision ID: 0019_recurring
Revises: 0018_jobs_mail
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_recurring"
down_revision = "0018_jobs_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurring_schedules",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("template_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("day", sa.String(4), nullable=False),
        sa.Column("start_date", sa.String(10), nullable=False),
        sa.Column("end_date", sa.String(10), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resume_from", sa.String(10), nullable=False),
        sa.Column("queued_through", sa.String(10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recurring_schedules_org", "recurring_schedules", ["org_id", "created_at"])
    op.create_index("ix_recurring_schedules_template_id", "recurring_schedules", ["template_id"])
    op.create_table(
        "recurring_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "schedule_id",
            sa.String(36),
            sa.ForeignKey("recurring_schedules.id"),
            nullable=False,
        ),
        sa.Column("period_start", sa.String(10), nullable=False),
        sa.Column("period_end", sa.String(10), nullable=False),
        sa.Column("run_date", sa.String(10), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schedule_id", "period_start"),
    )
    op.create_index("ix_recurring_runs_invoice_id", "recurring_runs", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("recurring_runs")
    op.drop_table("recurring_schedules")
