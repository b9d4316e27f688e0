"""The audit log becomes a hash chain per organization (issue 11, audit trail).

Each entry stores its place in its organization's chain (`position`, from 1; entries without an
organization form the global chain), the previous entry's hash and its own:
`hash = SHA-256(canonical JSON of the entry + prev_hash)`. Existing rows are chained here in id
order. This backfill is the only UPDATE ever run on audit rows: it fills the new columns once,
before any chain exists; from here on rows are only inserted (server/audit/chain.py), and on
PostgreSQL a trigger refuses UPDATE and DELETE.

The canonical encoding is copied from server/audit/chain.py on purpose: a migration must keep
doing what it did when it was written (tests/test_audit_chain.py checks that both agree).

Revision ID: 0008
Revises: 0007
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_FIELDS = ("at", "event", "actor_id", "org_id", "target", "ip", "detail")


def _at(value: object) -> str:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(row: dict[str, object], *, position: int, prev_hash: str) -> str:
    entry: dict[str, object] = {name: row[name] for name in _FIELDS}
    entry["at"] = _at(row["at"])
    entry["position"] = position
    entry["v"] = 1
    encoded = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode() + prev_hash.encode()).hexdigest()


_TABLE = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    *(sa.column(name) for name in _FIELDS),
    sa.column("position", sa.Integer),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)

_PG_REFUSE = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("position", sa.Integer, nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    heads: dict[str | None, tuple[int, str]] = {}
    rows = bind.execute(sa.select(_TABLE).order_by(_TABLE.c.id)).mappings().all()
    for row in rows:
        position, prev_hash = heads.get(row["org_id"], (0, GENESIS))
        position += 1
        digest = _hash(dict(row), position=position, prev_hash=prev_hash)
        bind.execute(
            _TABLE.update()
            .where(_TABLE.c.id == row["id"])
            .values(position=position, prev_hash=prev_hash, hash=digest)
        )
        heads[row["org_id"]] = (position, digest)
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("position", existing_type=sa.Integer, nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
    # One entry per place in each chain: a second writer that slipped past the lock fails
    # instead of forking the chain. NULL org ids are one chain, hence coalesce.
    op.create_index(
        "ux_audit_events_chain",
        "audit_events",
        [sa.text("coalesce(org_id, '')"), "position"],
        unique=True,
    )
    if bind.dialect.name == "postgresql":
        op.execute(_PG_REFUSE)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index("ux_audit_events_chain", "audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("position")
