"""Database engine, sessions, schema migrations (Alembic, applied on start) and the check that
the database is the one this server was using."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, Dialect, String, event, select
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
PG_TIMEOUT_SECONDS = 15  # connect, statement and pool waits on PostgreSQL

# In DATA_DIR: the id of the database this server last ran on.
IDENTITY_FILE = "database_id"


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC, aware on the way out on every database: SQLite keeps no offset and
    would hand back naive values, which the API would then write without one."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """The one metadata of every feature's tables (each feature's models.py)."""


class DatabaseIdentity(Base):
    """One row, written by the migration that created it: which database this is."""

    __tablename__ = "database_identity"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WrongDatabase(RuntimeError):
    """The database is not the one this server was using: starting would hide the data."""


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A database that hangs instead of refusing must still fail a write in bounded time, so
    # that the persister reports a storage fault (rooms go read-only) rather than waiting.
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        pool_timeout=PG_TIMEOUT_SECONDS,
        connect_args={"timeout": PG_TIMEOUT_SECONDS, "command_timeout": PG_TIMEOUT_SECONDS},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the group-commit writer; synchronous=NORMAL in WAL mode keeps
    # every committed transaction across a process crash (only power loss can cost the last one).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sessions(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_sqlite_file(url: str, data_dir: Path, *, allow_new: bool) -> None:
    """Before connecting (which would create an empty file): refuse when the SQLite file this
    server was using is gone."""
    path = sqlite_path(url)
    if path is None or path.exists() or allow_new or not (data_dir / IDENTITY_FILE).exists():
        return
    raise WrongDatabase(
        f"the database file {path} is missing, but {data_dir / IDENTITY_FILE} records that this "
        "server used a database there: refusing to start on a new, empty one. Restore the file "
        "(or its backup), or set ALLOW_NEW_DATABASE=1 to start afresh deliberately."
    )


async def check_identity(engine: AsyncEngine, data_dir: Path, *, allow_new: bool) -> str:
    """Compare the database's identity (after migrating) with the one recorded in `data_dir`;
    record it the first time. Raise WrongDatabase on a mismatch unless `allow_new`."""
    async with engine.connect() as conn:
        found = (await conn.execute(select(DatabaseIdentity.id))).scalars().all()
    if len(found) != 1:
        raise WrongDatabase(f"database_identity holds {len(found)} rows, expected exactly 1")
    return record_identity(found[0], data_dir, allow_new=allow_new)


def record_identity(current: str, data_dir: Path, *, allow_new: bool) -> str:
    marker = data_dir / IDENTITY_FILE
    recorded = marker.read_text().strip() if marker.exists() else None
    if recorded not in (None, current):
        if not allow_new:
            raise WrongDatabase(
                f"this database is {current}, but {marker} records that this server used "
                f"database {recorded}: refusing to start on another database (its data would "
                "look lost). Point DATABASE_URL back at it, or set ALLOW_NEW_DATABASE=1 to "
                "adopt this one deliberately."
            )
        log.warning("adopting database %s in place of %s (ALLOW_NEW_DATABASE)", current, recorded)
    if recorded != current:
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = marker.with_suffix(".tmp")
        temporary.write_text(current + "\n")
        os.replace(temporary, marker)  # atomic: a crash leaves the old id or the new one
    return current


def file_guard(url: str) -> Callable[[], None] | None:
    """For SQLite, a check that the database file is still the one opened at start: a file
    deleted or replaced while running would silently swallow every later write."""
    path = sqlite_path(url)
    if path is None:
        return None
    opened = path.stat()

    def guard() -> None:
        try:
            now = path.stat()
        except FileNotFoundError:
            raise OSError(f"the database file {path} was deleted while running") from None
        if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            raise OSError(f"the database file {path} was replaced while running")

    return guard
