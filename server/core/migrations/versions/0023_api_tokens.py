"""API tokens of an organization (issue 17).

Revision ID: 0023_api_tokens
Revises: 0022_paypage
"""

revision = "0023_api_tokens"
down_revision = "0022_paypage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
