"""The chart of accounts of the accounting export (issue 17).

Revision ID: 0026_accounting
Revises: 0025_chat
"""

revision = "0026_accounting"
down_revision = "0025_chat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
