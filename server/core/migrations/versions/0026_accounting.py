"""The chart of accounts of the accounting export (issue 17).

Revision ID: 0026_accounting
Revises: 0025_chat
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_accounting"
down_revision = "0025_chat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounting_charts",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("chart", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("accounting_charts")
