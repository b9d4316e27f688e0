"""CPU and wall time of one update-log write (`SqlUpdateStore.write` of one entry), as the
persister issues them under load: one transaction per accepted edit.

    .venv/bin/python -m bench.log_write --writes 1000
    .venv/bin/python -m bench.log_write --writes 1000 --rate 100

`--rate R` paces the writes at R a second through the `Persister`, as a room at R accepted
updates a second makes them (one transaction each: nothing else arrives while one runs), and
subtracts the CPU of an idle loop ticking at the same pace: the writer thread then sleeps
between writes, and waking it costs more than back-to-back writes suggest.

SQLite (a file in a temporary directory), PostgreSQL (a fresh database on the local server,
dropped afterwards; skipped when none answers) and PostgreSQL numbered by the database, as
several processes write (`shared`). CPU is the process's, every thread included.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from collab.sync import LogEntry, Persister
from server.auth.models import Organization, User
from server.core.db import create_engine, migrate, sessions
from server.invoices.models import Invoice
from server.invoices.store import SqlUpdateStore

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def _invoice(engine: AsyncEngine) -> str:
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    async with sessions(engine).begin() as db:
        db.add(Organization(id=ids[0], name=f"bench {ids[0]}", created_at=now))
        db.add(
            User(id=ids[1], email=f"{ids[1]}@x.test", name="u", password_hash="x", created_at=now)
        )
        await db.flush()
        db.add(Invoice(id=ids[2], org_id=ids[0], created_by=ids[1], status="draft", created_at=now))
    return ids[2]


async def measure(
    url: str, writes: int, *, shared: bool, rate: float | None = None
) -> tuple[float, float]:
    """(wall ms, CPU ms) per write, after 50 warm-up writes."""
    if rate is not None:
        return await _paced(url, writes, shared=shared, rate=rate)
    engine = create_engine(url)
    try:
        await migrate(engine)
        doc_id = await _invoice(engine)
        store = SqlUpdateStore(engine, shared=shared)
        data = bytes(60)  # about one keystroke's update
        for seq in range(1, 51):
            await store.write([LogEntry(doc_id, seq, data, "u", time.time())], [])
        wall, cpu = time.perf_counter(), time.process_time()
        for seq in range(51, 51 + writes):
            await store.write([LogEntry(doc_id, seq, data, "u", time.time())], [])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await store.aclose()
    finally:
        await engine.dispose()
    return 1000 * wall / writes, 1000 * cpu / writes


async def _paced(url: str, writes: int, *, shared: bool, rate: float) -> tuple[float, float]:
    """(wall ms, CPU ms) per write at `rate` writes a second through the persister; the CPU of
    the same loop without writes is subtracted, so the figure is the write's own."""
    idle = time.process_time()
    for _ in range(writes):
        await asyncio.sleep(1 / rate)
    idle = time.process_time() - idle
    engine = create_engine(url)
    try:
        await migrate(engine)
        doc_id = await _invoice(engine)
        store = SqlUpdateStore(engine, shared=shared)
        data = bytes(60)
        async with Persister(store) as persister:
            for seq in range(1, 51):
                await store.write([LogEntry(doc_id, seq, data, "u", time.time())], [])
            wall, cpu = time.perf_counter(), time.process_time()
            for seq in range(51, 51 + writes):
                persister.append(LogEntry(doc_id, seq, data, "u", time.time()))
                await asyncio.sleep(1 / rate)
            await persister.flush(5.0)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu - idle
        await store.aclose()
    finally:
        await engine.dispose()
    return 1000 * wall / writes, 1000 * cpu / writes


async def main(writes: int, rate: float | None) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(
            (
                "SQLite",
                await measure(
                    f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}", writes, shared=False, rate=rate
                ),
            )
        )
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"cofacture_bench_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OSError as exc:
        print(f"PostgreSQL skipped: {exc}")
    else:
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            rows.append(("PostgreSQL", await measure(url, writes, shared=False, rate=rate)))
            rows.append(("PostgreSQL, shared", await measure(url, writes, shared=True, rate=rate)))
        finally:
            async with admin.connect() as conn:
                await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.dispose()
    paced = f" at {rate:g}/s through the persister" if rate else ""
    print(f"| {writes} writes of one entry{paced} | wall ms per write | CPU ms per write |")
    print("|---|---|---|")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--rate", type=float, help="writes a second, through the persister")
    args = parser.parse_args()
    asyncio.run(main(args.writes, args.rate))
