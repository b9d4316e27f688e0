"""Customers' external ids, CRM and time-entry imports (issue 17).

Revision ID: 0027_crm_time
Revises: 0026_accounting
"""

revision = "0027_crm_time"
down_revision = "0026_accounting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
