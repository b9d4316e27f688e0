"""Access control: token sessions, two-factor, login throttling, audit log (issue 3).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("refresh_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("previous_refresh_hash", sa.String(64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("refresh_expires_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    op.create_table(
        "totp_credentials",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("secret_encrypted", sa.String(300), nullable=False),
        sa.Column("confirmed_at", _TS, nullable=True),
        sa.Column("last_used_step", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", _TS, nullable=True),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "org_security",
        sa.Column("org_id", sa.String(36), sa.ForeignKey("organizations.id"), primary_key=True),
        sa.Column("require_totp", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "invitations",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_table(
        "auth_throttles",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.Column("blocked_until", _TS, nullable=True),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=True),
        sa.Column("org_id", sa.String(36), nullable=True),
        sa.Column("target", sa.String(400), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(400), nullable=True),
    )
    op.create_index("ix_audit_events_org_at", "audit_events", ["org_id", "at"])
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor_id", "audit_events")
    op.drop_index("ix_audit_events_org_at", "audit_events")
    op.drop_table("audit_events")
    op.drop_table("auth_throttles")
    op.drop_table("invitations")
    op.drop_table("org_security")
    op.drop_index("ix_recovery_codes_user_id", "recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("totp_credentials")
    op.drop_index("ix_auth_sessions_user_id", "auth_sessions")
    op.drop_table("auth_sessions")
