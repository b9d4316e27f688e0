"""The SQL update store on SQLite and on a real PostgreSQL: migrations, log, snapshots, history."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from collab.sync import LogEntry, Snapshot
from server.auth.models import Organization, User
from server.core.db import create_engine, migrate, sessions
from server.invoices.models import Invoice, InvoiceUpdate
from server.invoices.store import SqlUpdateStore

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _postgres_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect():
            return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def _start_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it is installed but stopped."""
    versions = Path("/etc/postgresql")
    if versions.is_dir() and (names := sorted(p.name for p in versions.iterdir())):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", names[-1], "main", "start"],
            capture_output=True,
            check=False,
        )


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
        await migrate(made)
        yield made
        await made.dispose()
        return
    if not await _postgres_reachable():
        await _start_postgres()
        if not await _postgres_reachable():
            pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL} (set TEST_POSTGRES_URL)")
    name = f"cofacture_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    made = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        await migrate(made)
        await migrate(made)  # idempotent
        yield made
    finally:
        await made.dispose()
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.dispose()


async def _invoice(engine: AsyncEngine) -> str:
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    async with sessions(engine).begin() as db:
        db.add(Organization(id=ids[0], name=f"org {ids[0]}", created_at=now))
        db.add(
            User(id=ids[1], email=f"{ids[1]}@x.test", name="u", password_hash="x", created_at=now)
        )
        await db.flush()
        db.add(Invoice(id=ids[2], org_id=ids[0], created_by=ids[1], status="draft", created_at=now))
    return ids[2]


async def test_log_snapshot_and_load(engine: AsyncEngine) -> None:
    store = SqlUpdateStore(engine)
    doc_id = await _invoice(engine)
    assert (await store.load(doc_id)).last_seq == 0
    entries = [LogEntry(doc_id, seq, bytes([seq]), "user-1", 1.7e9 + seq) for seq in range(1, 8)]
    await store.write(entries[:5], [])
    await store.write(entries[5:], [Snapshot(doc_id, 6, b"snap-6")])
    loaded = await store.load(doc_id)
    assert loaded.snapshot == b"snap-6"
    assert loaded.updates == [bytes([7])]
    assert loaded.last_seq == 7
    # A later snapshot replaces the earlier one; writing the same snapshot twice is harmless.
    await store.write([], [Snapshot(doc_id, 7, b"snap-7")])
    await store.write([], [Snapshot(doc_id, 7, b"snap-7")])
    loaded = await store.load(doc_id)
    assert (loaded.snapshot, loaded.updates, loaded.last_seq) == (b"snap-7", [], 7)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(InvoiceUpdate.seq, InvoiceUpdate.user_id, InvoiceUpdate.compacted)
                .where(InvoiceUpdate.invoice_id == doc_id)
                .order_by(InvoiceUpdate.seq)
            )
        ).all()
    # History keeps every attributed row, marked as compacted.
    assert [(r.seq, r.user_id, r.compacted) for r in rows] == [
        (s, "user-1", True) for s in range(1, 8)
    ]


async def test_a_failed_write_leaves_nothing_behind(engine: AsyncEngine) -> None:
    store = SqlUpdateStore(engine)
    doc_id = await _invoice(engine)
    await store.write([LogEntry(doc_id, 1, b"a", None, 1.7e9)], [])
    duplicate = [LogEntry(doc_id, 2, b"b", None, 1.7e9), LogEntry(doc_id, 1, b"again", None, 1.7e9)]
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError differs per database
        await store.write(duplicate, [Snapshot(doc_id, 2, b"s")])
    loaded = await store.load(doc_id)
    assert (loaded.snapshot, loaded.updates, loaded.last_seq) == (None, [b"a"], 1)
