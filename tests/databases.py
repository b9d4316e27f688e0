"""Migrated test databases of each kind: a SQLite file, or a PostgreSQL database of its own;
what in-process tests seed in them, and the invoice rooms served from them.

PostgreSQL is the machine's local server (`TEST_POSTGRES_URL` names another); when it is not
running the cluster is started if installed, and the test is skipped with the reason otherwise.
Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Limits, Persister, RoomRegistry
from server.auth import accounts
from server.auth.models import Organization, User
from server.auth.permissions import Role
from server.core.db import DatabaseIdentity, create_engine, migrate
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
    `twice` migrates it a second time, to show migrations are idempotent.

    Each is a copy of one database migrated once per test process (SQLite: the file, 6 ms;
    PostgreSQL: CREATE DATABASE ... TEMPLATE, 0.2 s), not the migrations again (0.7 s; 1.2 s),
    with an identity of its own, as a database created afresh has. The migrations from an
    empty database still run in every test process: a broken one fails every test.
    """
    if kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(await _sqlite_template(), path)
        url = f"sqlite+aiosqlite:///{path}"
        await _made_fresh(url, twice)
        yield url
        return
    await require_postgres()
    template = await _postgres_template()
    name = f"cofacture_test_{uuid.uuid4().hex[:12]}"
    await admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        url = postgres_url(name)
        await _made_fresh(url, twice)
        yield url
    finally:
        await drop_database(name)


_templates: dict[str, Path | str] = {}  # kind -> this process's migrated template


async def _sqlite_template() -> Path:
    if "sqlite" not in _templates:
        folder = tempfile.mkdtemp(prefix="cofacture-template-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "template.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate(engine)
        finally:
            await engine.dispose()  # the last connection closed: the WAL is in the file
        if path.with_name(f"{path.name}-wal").exists():
            raise RuntimeError("the template's WAL was not checkpointed: a copy would miss it")
        _templates["sqlite"] = path
    return Path(_templates["sqlite"])


async def _postgres_template() -> str:
    if "postgresql" not in _templates:
        name = f"cofacture_test_template_{os.getpid()}"
        await drop_database(name)
        await admin_sql(f'CREATE DATABASE "{name}"')
        engine = create_engine(postgres_url(name))
        try:
            await migrate(engine)
        finally:
            await engine.dispose()  # a template cannot be copied while connected to
        atexit.register(_drop_at_exit, name)
        _templates["postgresql"] = name
    return str(_templates["postgresql"])


def _drop_at_exit(name: str) -> None:
    with contextlib.suppress(Exception):  # the server may be gone already: nothing to drop
        asyncio.run(drop_database(name))


async def drop_database(name: str) -> None:
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def admin_sql(*statements: str) -> None:
    """Run `statements` on the PostgreSQL server, outside a transaction (CREATE DATABASE)."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await admin.dispose()


def postgres_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _made_fresh(url: str, twice: bool) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(DatabaseIdentity).values(id=str(uuid.uuid4())))
        if twice:
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
