"""Writing the update log: one database round per batch, on a connection of its own.

The persister writes every accepted edit within milliseconds, so a busy server runs about one
log transaction per edit. Through SQLAlchemy Core each cost about 1 ms of CPU (on aiosqlite six
hops to the driver's thread: checkout, cursor, execute, close, commit, reset); on a dedicated
connection the same transaction costs about 0.23 ms on SQLite (the whole transaction in one hop
to the writer's thread) and 0.4 ms on PostgreSQL (asyncpg, its prepared statements cached).
Figures and commands: docs/benchmarks.md, "The log writer". Loads and the rare writes (set
aside, quarantine) stay on SQLAlchemy, whose connections see these commits like any other.

What a write does is said once, as a generator of statements (`transaction_steps`); a driver
per database runs it: `SqliteLogWriter` (server/invoices/log_writer_sqlite.py) on the event loop
when that cannot wait, else in its thread; `PostgresLogWriter` on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

import asyncpg
from pycrdt import Doc

from collab.sync import LogEntry, Snapshot
from collab.sync.errors import is_crdt_failure
from collab.sync.persister import EntryRefused
from server.core.db import PG_TIMEOUT_SECONDS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Query:
    """One statement; `?` stands for each argument. The driver sends back what `result`
    asks for: None ("none"), the first column of every row ("column"), or of the first row
    ("value")."""

    sql: str
    args: tuple[Any, ...] = ()
    result: str = "none"


@dataclass(frozen=True, slots=True)
class Many:
    """One statement run for each row of arguments."""

    sql: str
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Compute:
    """CPU work between statements (a snapshot merge): off the event loop."""

    work: Callable[[], bytes]


Step = Query | Many | Compute


def transaction_steps(
    entries: Sequence[LogEntry], snapshots: Sequence[Snapshot], *, shared: bool
) -> Generator[Step, Any, None]:
    """The statements of one log write, in order; see server/invoices/store.py for why."""
    if shared:
        entries, snapshots = yield from _numbered(entries, snapshots)
    if entries:
        yield Many(
            "INSERT INTO invoice_updates (invoice_id, seq, data, user_id, created_at, compacted,"
            " set_aside) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e.doc_id, e.seq, e.data, e.user_id, _moment(e.at), False, False) for e in entries],
        )
    for snapshot in snapshots:
        if shared:
            previous = yield Query(
                "SELECT data FROM invoice_snapshots WHERE invoice_id = ? ORDER BY seq DESC LIMIT 1",
                (snapshot.doc_id,),
                "value",
            )
            updates = yield Query(
                "SELECT data FROM invoice_updates WHERE invoice_id = ? AND compacted = ?"
                " AND set_aside = ? ORDER BY seq",
                (snapshot.doc_id, False, False),
                "column",
            )
            data = yield Compute(partial(_merged, snapshot.data, previous, updates))
            snapshot = replace(snapshot, data=data)
        # The new snapshot supersedes the older ones and the log up to its seq; the log rows
        # stay, marked, for history. Deleting first makes a repeated write harmless.
        yield Query(
            "DELETE FROM invoice_snapshots WHERE invoice_id = ? AND seq <= ?",
            (snapshot.doc_id, snapshot.seq),
        )
        yield Query(
            "INSERT INTO invoice_snapshots (invoice_id, seq, data, created_at) VALUES (?, ?, ?, ?)",
            (snapshot.doc_id, snapshot.seq, snapshot.data, datetime.now(UTC)),
        )
        yield Query(
            "UPDATE invoice_updates SET compacted = ? WHERE invoice_id = ? AND seq <= ?"
            " AND compacted = ?",
            (True, snapshot.doc_id, snapshot.seq, False),
        )


def _moment(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _numbered(
    entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]
) -> Generator[Step, Any, tuple[list[LogEntry], list[Snapshot]]]:
    """Lock the invoices written, in id order (two writers cannot deadlock), and number the
    entries after each one's last seq."""
    last: dict[str, int] = {}
    for doc_id in sorted({e.doc_id for e in entries} | {s.doc_id for s in snapshots}):
        yield Query("SELECT id FROM invoices WHERE id = ? FOR UPDATE", (doc_id,), "column")
        found = yield Query(
            "SELECT max(seq) FROM invoice_updates WHERE invoice_id = ?", (doc_id,), "value"
        )
        last[doc_id] = int(found or 0)
    numbered = []
    for entry in entries:
        last[entry.doc_id] += 1
        numbered.append(replace(entry, seq=last[entry.doc_id]))
    return numbered, [replace(s, seq=last[s.doc_id]) for s in snapshots]


def _merged(snapshot: bytes, previous: bytes | None, updates: list[bytes]) -> bytes:
    """A snapshot with everything stored of its invoice taken in: the snapshot it replaces
    (another process's, covering entries this process may not have received yet) and every
    committed, uncompacted entry."""
    doc: Doc[Any] = Doc()
    doc.apply_update(snapshot)
    if previous is not None:
        doc.apply_update(previous)  # a stored snapshot that fails is not degradable: raise
    for entry in updates:
        try:
            doc.apply_update(entry)
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise
            # Skipped here as a load skips it (StoredDocument.to_doc sets it aside).
            log.error("a log entry cannot be taken into a snapshot (%r): left out", exc)
    return doc.get_update()


def step_result(step: Query, column: list[Any]) -> Any:
    """What `step.result` asks for, from the first column of the rows a statement returned."""
    if step.result == "column":
        return column
    if step.result == "value":
        return column[0] if column else None
    return None


class LogWriter(Protocol):
    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        """One transaction; raise EntryRefused when the database refuses the data itself."""
        ...

    async def aclose(self) -> None: ...


class PostgresLogWriter:
    """One asyncpg connection, opened at the first write and again after a failure."""

    def __init__(self, dsn: str, *, shared: bool) -> None:
        self._dsn, self._shared = dsn, shared
        self._conn: asyncpg.Connection | None = None
        self._sql: dict[str, str] = {}  # `?` placeholders -> `$n`

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                # The engine's bounds: a database that hangs fails the write in bounded time.
                self._dsn,
                timeout=PG_TIMEOUT_SECONDS,
                command_timeout=PG_TIMEOUT_SECONDS,
            )
        conn = self._conn
        steps = transaction_steps(entries, snapshots, shared=self._shared)
        try:
            async with conn.transaction():
                answer: Any = None
                while True:
                    try:
                        step = steps.send(answer)
                    except StopIteration:
                        break
                    answer = await self._run(conn, step)
        except (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError) as exc:
            raise EntryRefused(str(exc)[:300]) from exc
        except BaseException:
            # A timeout or a lost connection leaves it in an unknown state: start afresh.
            self._conn = None
            conn.terminate()
            raise

    async def aclose(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _run(self, conn: asyncpg.Connection, step: Step) -> Any:
        if isinstance(step, Compute):
            return await asyncio.to_thread(step.work)
        if isinstance(step, Many):
            await conn.executemany(self._numbered(step.sql), step.rows)
            return None
        rows = await conn.fetch(self._numbered(step.sql), *step.args)
        return step_result(step, [row[0] for row in rows])

    def _numbered(self, sql: str) -> str:
        found = self._sql.get(sql)
        if found is None:
            parts = sql.split("?")
            found = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
            self._sql[sql] = found
        return found
