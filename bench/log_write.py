"""CPU and wall time of one update-log write (`SqlUpdateStore.write` of one entry), as the
persister issues them under load: one transaction per accepted edit.

    .venv/bin/python -m bench.log_write --writes 1000

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

from collab.sync import LogEntry
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


async def measure(url: str, writes: int, *, shared: bool) -> tuple[float, float]:
    """(wall ms, CPU ms) per write, after 50 warm-up writes."""
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


async def main(writes: int) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(
            (
                "SQLite",
                await measure(f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}", writes, shared=False),
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
            rows.append(("PostgreSQL", await measure(url, writes, shared=False)))
            rows.append(("PostgreSQL, shared", await measure(url, writes, shared=True)))
        finally:
            async with admin.connect() as conn:
                await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.dispose()
    print(f"| {writes} writes of one entry | wall ms per write | CPU ms per write |")
    print("|---|---|---|")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000)
    asyncio.run(main(parser.parse_args().writes))
