"""Migrated test databases of each kind: a SQLite file, or a PostgreSQL database of its own;
what in-process tests seed in them, and the invoice rooms served from them.

PostgreSQL is the machine's local server (`TEST_POSTGRES_URL` names another); when it is not
running the cluster is started if installed, and the test is skipped with the reason otherwise.
Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Limits, Persister, RoomRegistry
from server.auth import accounts
from server.auth.models import Organization, User
from server.auth.permissions import Role
from server.core.db import create_engine, migrate
from server.invoices.rooms import InvoiceRooms
from server.invoices.store import SqlUpdateStore

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


async def acme_member(
    db: AsyncSession, *, email: str = "a@acme.test", role: Role = Role.EDITOR, name: str = ""
) -> tuple[Organization, User]:
    """A new organization "Acme" and its one member: where most in-process tests start."""
    org = await accounts.create_org(db, name="Acme")
    user = await accounts.create_user(
        db, org=org, email=email, password="correct horse", role=role, name=name
    )
    return org, user


@asynccontextmanager
async def invoice_registry(
    engine: AsyncEngine, rooms: InvoiceRooms
) -> AsyncIterator[tuple[SqlUpdateStore, RoomRegistry]]:
    """The server's invoice rooms in this process, on `engine`: store, persister, registry."""
    store = SqlUpdateStore(engine)
    async with (
        aclosing(store),
        Persister(store) as persister,
        RoomRegistry(
            store, persister, Limits(), shape=INVOICE_SHAPE, setup=rooms.setup
        ) as registry,
    ):
        yield store, registry
