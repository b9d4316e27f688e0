"""The organization's seller profile and its number series (issue 11).

`org_profiles`: one row per organization, the legal identity stamped into issued invoices.
`number_series`: one counter per organization and kind (`invoice`, `credit_note`), moved only by
`server.organization.service.allocate_number` inside the issuing transaction.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_profiles",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("line1", sa.String(200), nullable=False),
        sa.Column("line2", sa.String(200), nullable=False, server_default=""),
        sa.Column("postcode", sa.String(20), nullable=False),
        sa.Column("city", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("siren", sa.String(14), nullable=False),
        sa.Column("vat_id", sa.String(20), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("payment_terms", sa.String(500), nullable=False, server_default=""),
        sa.Column("payment_days", sa.Integer, nullable=False, server_default="30"),
        sa.Column("legal_mentions", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
    )
    op.create_table(
        "number_series",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("pattern", sa.String(60), nullable=False),
        sa.Column("reset", sa.String(10), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("next_value", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("next_value >= 1", name="ck_number_series_next_positive"),
    )


def downgrade() -> None:
    op.drop_table("number_series")
    op.drop_table("org_profiles")
