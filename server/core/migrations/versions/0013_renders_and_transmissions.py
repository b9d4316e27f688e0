"""Issued renders and e-invoicing transmissions (issue 12).

`issued_renders`: what an issued invoice was rendered as (PDF for people, Factur-X, UBL, CII),
stored the first time it is asked for and served unchanged ever after; one row per invoice,
format and variant (the PDF's template and language; empty for the XML formats).
`transmissions`: the outbox of issued invoices handed to an accredited e-invoicing platform
through an adapter, one per invoice and adapter, with its status and attempts.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_renders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("variant", sa.String(40), nullable=False, server_default=""),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("invoice_id", "format", "variant"),
    )
    op.create_table(
        "transmissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("adapter", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("invoice_id", "adapter"),
    )
    op.create_index("ix_transmissions_org_id", "transmissions", ["org_id"])
    op.create_index("ix_transmissions_status", "transmissions", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_transmissions_status", table_name="transmissions")
    op.drop_index("ix_transmissions_org_id", table_name="transmissions")
    op.drop_table("transmissions")
    op.drop_table("issued_renders")
