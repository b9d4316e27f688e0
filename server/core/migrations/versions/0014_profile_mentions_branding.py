"""The seller's VAT-on-debits option and the organization's branding (issue 12).

`org_profiles.vat_on_debits`: the seller chose to pay VAT on debits (French mention "option
pour le paiement de la taxe d'après les débits", on invoices from the 2026 reform).
`org_branding`: the colour and logo the PDF templates use (one row per organization; none: the
templates' defaults).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("org_profiles") as batch:
        batch.add_column(
            sa.Column("vat_on_debits", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "org_branding",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("color", sa.String(7), nullable=True),
        sa.Column("logo", sa.LargeBinary, nullable=True),
        sa.Column("logo_type", sa.String(20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("org_branding")
    with op.batch_alter_table("org_profiles") as batch:
        batch.drop_column("vat_on_debits")
