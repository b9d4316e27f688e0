"""Migrated test databases of each kind: a SQLite file, or a PostgreSQL database of its own.

PostgreSQL is the machine's local server (`TEST_POSTGRES_URL` names another); when it is not
running the cluster is started if installed, and the test is skipped with the reason otherwise.
Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.db import create_engine, migrate

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
KINDS = ["sqlite", "postgresql"]


async def postgres_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect():
            return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def require_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it is installed but stopped; skip if none."""
    if await postgres_reachable():
        return
    versions = Path("/etc/postgresql")
    if versions.is_dir() and (names := sorted(p.name for p in versions.iterdir())):
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", names[-1], "main", "start"]
        subprocess.run(command, capture_output=True, check=False)
    if not await postgres_reachable():
        pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL} (set TEST_POSTGRES_URL)")


@asynccontextmanager
async def migrated_database(
    kind: str, tmp_path: Path, *, twice: bool = False
) -> AsyncIterator[str]:
    """The URL of a fresh, migrated database of `kind` ("sqlite" or "postgresql");
    `twice` migrates it a second time, to show migrations are idempotent."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        await _migrate(url, twice)
        yield url
        return
    await require_postgres()
    name = f"cofacture_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        await _migrate(url, twice)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.dispose()


async def _migrate(url: str, twice: bool) -> None:
    engine = create_engine(url)
    try:
        for _ in range(2 if twice else 1):
            await migrate(engine)
    finally:
        await engine.dispose()
