"""The manager's board (issue 14): customer importance, the invoice's customer VAT id, and the
organization's priority weights.

`customers.importance`: "normal" (default), "important" or "key", one factor of an invoice's
priority (collab/invoice/priority.py). `invoices.customer_vat_id`: derived from the document
like `customer_name`, to match an invoice to its catalogue customer without loading documents.
`board_weights`: one row per organization whose admin tuned the weights (none: the defaults).

Revision ID: 0015_board
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_board"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(
            sa.Column("importance", sa.String(10), nullable=False, server_default="normal")
        )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("customer_vat_id", sa.String(20), nullable=True))
    op.create_table(
        "board_weights",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("due", sa.Integer, nullable=False),
        sa.Column("customer", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("board_weights")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("customer_vat_id")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("importance")
