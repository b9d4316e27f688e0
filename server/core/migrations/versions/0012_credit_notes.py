"""Credit notes and the issued document (issue 11).

`invoices.kind`: `invoice` or `credit_note` (EN 16931 type codes 380 and 381). `credit_notes`:
one row per credit note, naming the invoice it credits; `gross` is written when the credit note
is issued (the amount it credits, from the frozen document), so what remains to be credited is a
sum over issued rows, never a guess from drafts. `invoice_workflow.issued_document`: the
document exactly as issued (the content the approval's hash was bound to), kept as plain JSON so
that what was issued never depends on replaying the CRDT log.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="invoice"))
    with op.batch_alter_table("invoice_workflow") as batch:
        batch.add_column(sa.Column("issued_document", sa.JSON, nullable=True))
    op.create_table(
        "credit_notes",
        sa.Column("credit_note_id", sa.String(36), sa.ForeignKey("invoices.id"), primary_key=True),
        sa.Column("original_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("whole", sa.Boolean, nullable=False),
        sa.Column("gross", sa.String(40), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_credit_notes_original_id", "credit_notes", ["original_id"])


def downgrade() -> None:
    op.drop_index("ix_credit_notes_original_id", table_name="credit_notes")
    op.drop_table("credit_notes")
    with op.batch_alter_table("invoice_workflow") as batch:
        batch.drop_column("issued_document")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("kind")
