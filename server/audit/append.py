"""Appending to the audit chains: each new AuditEvent gets its position, prev_hash and hash when
its session flushes, inside the caller's transaction.

`service.record` stays a plain `db.add` (callers need not await it); this session hook does the
chaining at flush time, which is when the row is really written. For each chain it touches, the
flush first serializes against every other writer of that chain, then reads the chain's head
in the same transaction, so two transactions can never both extend the same head:

- PostgreSQL: `pg_advisory_xact_lock` keyed on the chain, held until the transaction ends;
- SQLite: one database-wide writer. A transaction that has not written yet reads from a snapshot
  that another writer may overtake, so the hook first takes the write lock with an INSERT that
  inserts nothing, and only then reads the head.

The unique index on (chain, position) (migration 0008) is the backstop: a writer that slipped
past would fail rather than fork the chain.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    event,
    false,
    func,
    insert,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session, UOWTransaction

from server.audit.chain import GENESIS, EntryFields, chain_key, entry_hash
from server.audit.models import AuditEvent

# The first key of PostgreSQL's two-key advisory locks: this namespace is the audit chains'.
_PG_LOCK_NAMESPACE: Final = 0x41554454  # "AUDT"


def fields_of(row: AuditEvent) -> EntryFields:
    return EntryFields(
        position=row.position,
        at=row.at,
        event=row.event,
        actor_id=row.actor_id,
        org_id=row.org_id,
        target=row.target,
        ip=row.ip,
        detail=row.detail,
    )


def _chain_lock_key(chain: str) -> int:
    """A signed 32-bit key from the chain's name (a collision only serializes two chains)."""
    return int.from_bytes(hashlib.sha256(chain.encode()).digest()[:4], "big", signed=True)


def _serialize(conn: Connection, chain: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": _PG_LOCK_NAMESPACE, "key": _chain_lock_key(chain)},
        )
    elif conn.dialect.name == "sqlite":
        conn.execute(insert(AuditEvent).from_select(["id"], select(AuditEvent.id).where(false())))


def in_chain(chain: str) -> ColumnElement[bool]:
    """The chain's rows, written as the unique index's expression so that the index serves it
    (a bound '' would not match it)."""
    return func.coalesce(AuditEvent.org_id, literal_column("''")) == chain


def _head(conn: Connection, chain: str) -> tuple[int, str]:
    found = conn.execute(
        select(AuditEvent.position, AuditEvent.hash)
        .where(in_chain(chain))
        .order_by(AuditEvent.position.desc())
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else (0, GENESIS)


def _chain_new_entries(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    pending = [o for o in session.new if isinstance(o, AuditEvent) and o.hash is None]
    if not pending:
        return
    pending.sort(key=lambda row: inspect(row).insert_order)  # the order they were recorded
    chains: dict[str, list[AuditEvent]] = {}
    for row in pending:
        chains.setdefault(chain_key(row.org_id), []).append(row)
    conn = session.connection()
    # Always in the same order, so that two transactions touching two chains cannot deadlock.
    for chain in sorted(chains):
        _serialize(conn, chain)
        position, prev_hash = _head(conn, chain)
        for row in chains[chain]:
            position += 1
            row.position = position
            row.prev_hash = prev_hash
            row.hash = prev_hash = entry_hash(fields_of(row), prev_hash)


def install() -> None:
    """Chain every AuditEvent flushed by any session (idempotent)."""
    if not event.contains(Session, "before_flush", _chain_new_entries):
        event.listen(Session, "before_flush", _chain_new_entries)
