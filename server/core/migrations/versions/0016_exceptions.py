"""Invoice exceptions (issue 14): disputes, refund and cancellation requests, pricing errors,
missing purchase orders, routed to the expert of their category and tracked to resolution.

`invoice_exceptions` holds one row per exception, with the organization kept beside the invoice
for the log's query; `exception_comments` is each exception's own thread; `exception_experts`
names an organization's expert per category (no row: its admins).

Revision ID: 0016_exceptions
Revises: 0015_board
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_exceptions"
down_revision = "0015_board"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_exceptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("note", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expert_id", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("resolution", sa.String(2000), nullable=True),
        sa.Column("resolved_by", sa.String(36), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_invoice_exceptions_org", "invoice_exceptions", ["org_id", "opened_at"])
    op.create_index("ix_invoice_exceptions_invoice", "invoice_exceptions", ["invoice_id", "status"])
    op.create_table(
        "exception_comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "exception_id",
            sa.String(36),
            sa.ForeignKey("invoice_exceptions.id"),
            nullable=False,
        ),
        sa.Column("author_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("body", sa.String(5000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_exception_comments_exception", "exception_comments", ["exception_id", "created_at"]
    )
    op.create_table(
        "exception_experts",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("category", sa.String(30), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exception_experts")
    op.drop_index("ix_exception_comments_exception", table_name="exception_comments")
    op.drop_table("exception_comments")
    op.drop_index("ix_invoice_exceptions_invoice", table_name="invoice_exceptions")
    op.drop_index("ix_invoice_exceptions_org", table_name="invoice_exceptions")
    op.drop_table("invoice_exceptions")
