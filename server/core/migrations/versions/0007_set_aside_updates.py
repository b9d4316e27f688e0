"""Log entries that cannot be replayed (issue 10, defect 1) are set aside, not loaded.

A load that meets an entry pycrdt cannot apply replays the log entry by entry, skips the
entries that fail and marks them here, so that an invoice never becomes unloadable and later
loads take the fast path again. The rows stay for an operator.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice_updates") as batch:
        batch.add_column(
            sa.Column("set_aside", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_updates") as batch:
        batch.drop_column("set_aside")
