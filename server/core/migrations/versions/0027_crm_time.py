"""Customers' external ids, CRM and time-entry imports (issue 17).

`customers.external_id` is the customer's key in the organization's CRM, unique per
organization (NULL when it has none: NULLs are never duplicates). An uploaded CSV waits in
`crm_imports` or `time_imports` between its upload, its previews and its confirmation, and
expires after an hour (server/crm, server/timesheets).

Revision ID: 0027_crm_time
Revises: 0026_accounting
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_crm_time"
down_revision = "0026_accounting"
branch_labels = None
depends_on = None


def _uploads(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(400), nullable=True),
    )
    op.create_index(f"ix_{name}_expires", name, ["expires_at"])


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("external_id", sa.String(100), nullable=True))
        batch.create_unique_constraint("uq_customers_external_id", ["org_id", "external_id"])
    _uploads("crm_imports")
    _uploads("time_imports")


def downgrade() -> None:
    for name in ("time_imports", "crm_imports"):
        op.drop_index(f"ix_{name}_expires", table_name=name)
        op.drop_table(name)
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint("uq_customers_external_id", type_="unique")
        batch.drop_column("external_id")
