"""Storage safety (issue 10): the database's identity, and entries the database refused.

`database_identity` holds one row written by this migration; the server records its id in
DATA_DIR and refuses to start on a database with another id (a deleted SQLite file silently
recreated empty, or DATABASE_URL pointing elsewhere). `invoice_update_quarantine` keeps the log
entries and snapshots the database refused, so a poisoned entry never blocks the others.

Revision ID: 0005
Revises: 0004
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    identity = op.create_table(
        "database_identity",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(identity, [{"id": str(uuid.uuid4()), "created_at": datetime.now(UTC)}])
    # Loose columns on purpose (no foreign key, unbounded text): the row must be storable
    # even when what the database refused was the invoice id or the user id.
    op.create_table(
        "invoice_update_quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("invoice_id", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("user_id", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("invoice_update_quarantine")
    op.drop_table("database_identity")
