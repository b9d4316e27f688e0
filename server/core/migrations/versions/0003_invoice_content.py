"""Invoice content: totals and header columns derived from the document, customers and items.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INVOICE_COLUMNS = (
    sa.Column("customer_name", sa.String(200), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
    sa.Column("issue_date", sa.String(10), nullable=True),
    sa.Column("due_date", sa.String(10), nullable=True),
    sa.Column("net", sa.String(40), nullable=False, server_default="0.00"),
    sa.Column("tax", sa.String(40), nullable=False, server_default="0.00"),
    sa.Column("gross", sa.String(40), nullable=False, server_default="0.00"),
    sa.Column("gross_value", sa.Numeric(24, 6), nullable=False, server_default="0"),
    sa.Column("line_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("issue_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        for column in _INVOICE_COLUMNS:
            batch.add_column(column)
    op.create_index("ix_invoices_org_due", "invoices", ["org_id", "due_date"])
    op.create_index("ix_invoices_org_gross", "invoices", ["org_id", "gross_value"])
    op.create_table(
        "customers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, server_default=""),
        sa.Column("vat_id", sa.String(20), nullable=False, server_default=""),
        sa.Column("siren", sa.String(20), nullable=False, server_default=""),
        sa.Column("line1", sa.String(200), nullable=False, server_default=""),
        sa.Column("line2", sa.String(200), nullable=False, server_default=""),
        sa.Column("postcode", sa.String(20), nullable=False, server_default=""),
        sa.Column("city", sa.String(200), nullable=False, server_default=""),
        sa.Column("country", sa.String(2), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_customers_org_name", "customers", ["org_id", "name"])
    op.create_table(
        "items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(5000), nullable=False, server_default=""),
        sa.Column("unit", sa.String(3), nullable=False, server_default="C62"),
        sa.Column("unit_price", sa.String(40), nullable=False),
        sa.Column("tax_rate", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_items_org_name", "items", ["org_id", "name"])


def downgrade() -> None:
    op.drop_index("ix_items_org_name", "items")
    op.drop_table("items")
    op.drop_index("ix_customers_org_name", "customers")
    op.drop_table("customers")
    op.drop_index("ix_invoices_org_gross", "invoices")
    op.drop_index("ix_invoices_org_due", "invoices")
    with op.batch_alter_table("invoices") as batch:
        for column in reversed(_INVOICE_COLUMNS):
            batch.drop_column(column.name)
