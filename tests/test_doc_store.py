"""The SQL update store on SQLite and on a real PostgreSQL: migrations, log, snapshots, history;
the log writer's numbering when several processes write one invoice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Array, Doc
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Snapshot
from collab.sync.persister import EntryRefused
from server.auth.models import Organization, User
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice, InvoiceUpdate
from server.invoices.store import SqlUpdateStore
from tests.databases import KINDS, migrated_database


@pytest.fixture(params=KINDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path, twice=True) as url:
        made = create_engine(url)
        yield made
        await made.dispose()


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
    with pytest.raises(EntryRefused):
        await store.write(duplicate, [Snapshot(doc_id, 2, b"s")])
    loaded = await store.load(doc_id)
    assert (loaded.snapshot, loaded.updates, loaded.last_seq) == (None, [b"a"], 1)


async def test_entries_keep_their_author_and_time_to_the_microsecond(engine: AsyncEngine) -> None:
    store = SqlUpdateStore(engine)
    doc_id = await _invoice(engine)
    at = datetime(2026, 12, 2, 4, 30, 15, 123456, tzinfo=UTC)
    await store.write([LogEntry(doc_id, 1, b"x", "user-7", at.timestamp())], [])
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(InvoiceUpdate.user_id, InvoiceUpdate.created_at, InvoiceUpdate.set_aside)
            )
        ).one()
    assert row == ("user-7", at, False)
    await store.aclose()


def _line(doc: Doc[Any], text: str) -> bytes:
    before = doc.get_state()
    doc.get("lines", type=Array).append(text)
    return doc.get_update(before)


async def test_shared_stores_number_one_invoice_s_log_without_gaps(engine: AsyncEngine) -> None:
    """Two processes (two stores) write one invoice at once, each numbering its entries as it
    believes; the database numbers them again: 1..n, nothing lost, and a snapshot covers every
    committed entry, the other process's too."""
    doc_id = await _invoice(engine)
    stores = [SqlUpdateStore(engine, shared=True) for _ in range(2)]
    docs: list[Doc[Any]] = [Doc(), Doc()]

    async def edit(n: int) -> None:
        for k in range(10):
            entry = LogEntry(doc_id, k + 1, _line(docs[n], f"p{n}-{k}"), f"user-{n}", 1.7e9)
            await stores[n].write([entry], [])

    await asyncio.gather(edit(0), edit(1))
    # Process 0 snapshots what it holds (only its own lines): the stored snapshot must hold
    # process 1's lines too.
    await stores[0].write([], [Snapshot(doc_id, 10, docs[0].get_update())])
    loaded = await stores[1].load(doc_id)
    async with engine.connect() as conn:
        seqs = (
            await conn.execute(
                select(InvoiceUpdate.seq, InvoiceUpdate.compacted).order_by(InvoiceUpdate.seq)
            )
        ).all()
    assert seqs == [(seq, True) for seq in range(1, 21)]
    assert (loaded.updates, loaded.last_seq) == ([], 20)
    assert loaded.snapshot is not None
    stored: Doc[Any] = Doc()
    stored.apply_update(loaded.snapshot)
    lines = sorted(stored.get("lines", type=Array).to_py() or [])
    assert lines == sorted(f"p{n}-{k}" for n in range(2) for k in range(10))
    for store in stores:
        await store.aclose()
