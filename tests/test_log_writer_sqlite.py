"""The SQLite log writer writes on the event loop only when that cannot wait: a write lock held
elsewhere, a slow disk or a snapshot send the write to its thread, the loop keeps serving, and
its WAL is checkpointed although the loop's own connection never does it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Snapshot
from server.auth.models import Organization, User
from server.core.db import create_engine, sessions
from server.invoices import log_writer_sqlite
from server.invoices.log_writer_sqlite import SqliteLogWriter
from server.invoices.models import Invoice
from tests.databases import migrated_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[Path, str]]:
    """A migrated SQLite file and one invoice in it."""
    async with migrated_database("sqlite", tmp_path) as url:
        engine: AsyncEngine = create_engine(url)
        now = datetime.now(UTC)
        org, user, invoice = (str(uuid.uuid4()) for _ in range(3))
        async with sessions(engine).begin() as db:
            db.add(Organization(id=org, name="Lumière SARL", created_at=now))
            db.add(User(id=user, email="a@x.test", name="A", password_hash="x", created_at=now))
            await db.flush()
            db.add(Invoice(id=invoice, org_id=org, created_by=user, status="draft", created_at=now))
        await engine.dispose()
        yield tmp_path / "test.db", invoice


def _entry(doc_id: str, seq: int, size: int = 60) -> LogEntry:
    return LogEntry(doc_id, seq, bytes([seq % 256]) * size, "user-1", time.time())


def _seqs(path: Path, doc_id: str) -> list[int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT seq FROM invoice_updates WHERE invoice_id = ? ORDER BY seq", (doc_id,)
        )
        return [seq for (seq,) in rows]


def _threads_of_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each statement of a log write runs on, from now on."""
    seen: list[str] = []
    run = log_writer_sqlite._run

    def recording(conn: sqlite3.Connection, step: Any) -> Any:
        seen.append(threading.current_thread().name)
        return run(conn, step)

    monkeypatch.setattr(log_writer_sqlite, "_run", recording)
    return seen


async def test_writes_run_on_the_loop_and_snapshots_and_bursts_on_the_thread(
    database: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc_id = database
    where = _threads_of_writes(monkeypatch)
    writer = SqliteLogWriter(path, shared=False)
    try:
        await writer.write([_entry(doc_id, 1)], [])
        await writer.write([_entry(doc_id, 2)], [Snapshot(doc_id, 2, b"\x00\x00")])
        burst = log_writer_sqlite.LOOP_MAX_ENTRIES + 1  # a burst: on the thread too
        await writer.write([_entry(doc_id, seq) for seq in range(3, 3 + burst)], [])
        big = 3 + burst  # one entry past the byte bound: on the thread too
        await writer.write([_entry(doc_id, big, log_writer_sqlite.LOOP_MAX_BYTES + 1)], [])
    finally:
        await writer.aclose()
    assert where[0] == threading.current_thread().name
    assert all(name.startswith("log-writer") for name in where[1:]), where
    assert _seqs(path, doc_id) == list(range(1, big + 1))


async def test_a_write_lock_held_elsewhere_moves_the_write_to_the_thread_and_the_loop_serves(
    database: tuple[Path, str],
) -> None:
    path, doc_id = database
    writer = SqliteLogWriter(path, shared=False)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        await writer.write([_entry(doc_id, 1)], [])
        holder.execute("BEGIN IMMEDIATE")  # as a SQLAlchemy connection committing elsewhere
        pending = asyncio.create_task(writer.write([_entry(doc_id, 2)], []))
        # The loop is not blocked on the lock: timers keep firing while the write waits.
        ticks = 0
        for _ in range(10):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 10 and not pending.done()
        holder.execute("COMMIT")
        await asyncio.wait_for(pending, 5)
    finally:
        holder.close()
        await writer.aclose()
    assert _seqs(path, doc_id) == [1, 2]


async def test_a_slow_write_on_the_loop_sends_the_next_ones_to_the_thread(
    database: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc_id = database
    monkeypatch.setattr(log_writer_sqlite, "SLOW_SECONDS", 0.0)  # every write counts as slow
    where = _threads_of_writes(monkeypatch)
    writer = SqliteLogWriter(path, shared=False)
    try:
        await writer.write([_entry(doc_id, 1)], [])
        await writer.write([_entry(doc_id, 2)], [])
    finally:
        await writer.aclose()
    assert where[0] == threading.current_thread().name
    assert where[1].startswith("log-writer")
    assert _seqs(path, doc_id) == [1, 2]


async def test_the_wal_stays_bounded_although_the_loop_never_checkpoints(
    database: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, doc_id = database
    monkeypatch.setattr(log_writer_sqlite, "CHECKPOINT_EVERY", 50)
    wal = path.with_name(path.name + "-wal")
    writer = SqliteLogWriter(path, shared=False)
    try:
        for seq in range(1, 601):  # about 2.5 MB of pages without checkpoints
            await writer.write([_entry(doc_id, seq, size=3000)], [])
        # Measured before closing: the last connection to close checkpoints and removes it.
        assert wal.stat().st_size < 1_000_000, wal.stat().st_size
    finally:
        await writer.aclose()
    assert _seqs(path, doc_id) == list(range(1, 601))
