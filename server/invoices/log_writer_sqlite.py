"""The update log's writer on SQLite: on the event loop when the write cannot wait, else on a
thread of its own.

Handing each write to a thread costs two wake-ups (the thread's, then the loop's for the
result), and on the machines we measured a wake-up from idle costs more CPU than the write
itself: at 100 writes a second, 0.2-0.3 ms of CPU per transaction against 0.02 ms back to back
(docs/benchmarks.md, "Wake-ups, the log on the event loop"). A log write in WAL mode with
`synchronous=NORMAL` appends a few pages to the WAL through the page cache, without fsync:
tens of microseconds. So the loop writes it itself, on a connection that never waits:

- busy timeout 0: when another connection holds the write lock, the thread (which waits up to
  30 s) writes instead;
- no automatic checkpoint (it copies pages and fsyncs): the thread runs one every
  `CHECKPOINT_EVERY` writes made on the loop;
- snapshots (a merge of CPU work, a bigger write) and batches past `LOOP_MAX_ENTRIES` entries
  or `LOOP_MAX_BYTES` (a burst, such as a client's offline edits: one write of the cold-load
  benchmark's seeding took 94 ms on the loop) go to the thread;
- a write on the loop slower than `SLOW_SECONDS` (a stalled disk) sends the writes to the
  thread for `SLOW_BACKOFF_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collab.sync import LogEntry, Snapshot
from collab.sync.persister import EntryRefused
from server.invoices.log_writer import Compute, Many, Step, step_result, transaction_steps

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1000  # about SQLite's own automatic checkpoint (1,000 WAL pages)
LOOP_MAX_ENTRIES = 32
LOOP_MAX_BYTES = 64 * 1024
SLOW_SECONDS = 0.02  # a descheduled process on a busy machine can take 5-10 ms
SLOW_BACKOFF_SECONDS = 30.0
_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")


class SqliteLogWriter:
    def __init__(self, path: Path, *, shared: bool) -> None:
        self._path, self._shared = path, shared
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="log-writer")
        self._conn: sqlite3.Connection | None = None  # the thread's
        self._loop_conn: sqlite3.Connection | None = None  # the event loop's, never waits
        self._loop_writes = 0
        self._thread_only_until = 0.0  # monotonic time

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        loop = asyncio.get_running_loop()
        on_loop = (
            not snapshots
            and len(entries) <= LOOP_MAX_ENTRIES
            and sum(len(entry.data) for entry in entries) <= LOOP_MAX_BYTES
            and time.monotonic() >= self._thread_only_until
        )
        if on_loop and self._write_on_loop(entries):
            self._loop_writes += 1
            if self._loop_writes % CHECKPOINT_EVERY == 0:
                await loop.run_in_executor(self._thread, self._checkpoint)
            return
        await loop.run_in_executor(self._thread, self._write, entries, snapshots)

    async def aclose(self) -> None:
        if self._loop_conn is not None:
            self._loop_conn.close()
            self._loop_conn = None
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)

    # -- on the event loop ------------------------------------------------------------------

    def _write_on_loop(self, entries: Sequence[LogEntry]) -> bool:
        """Write `entries` here if the write lock is free at once; False to use the thread."""
        started = time.perf_counter()
        try:
            conn = self._loop_connection()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            # Locked by another writer, or failing: the thread waits, or reports the fault.
            return False
        _commit(conn, transaction_steps(entries, (), shared=self._shared))
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_SECONDS:
            self._thread_only_until = time.monotonic() + SLOW_BACKOFF_SECONDS
            log.warning(
                "a log write took %.1f ms on the event loop: writing on a thread for %.0f s",
                elapsed * 1000,
                SLOW_BACKOFF_SECONDS,
            )
        return True

    def _loop_connection(self) -> sqlite3.Connection:
        if self._loop_conn is None:
            conn = sqlite3.connect(self._path, timeout=0, isolation_level=None)
            for pragma in (*_PRAGMAS, "wal_autocheckpoint=0"):
                conn.execute(f"PRAGMA {pragma}")
            self._loop_conn = conn
        return self._loop_conn

    # -- on the thread ----------------------------------------------------------------------

    def _write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        _commit(conn, transaction_steps(entries, snapshots, shared=self._shared))

    def _checkpoint(self) -> None:
        try:
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("checkpointing the log's WAL failed: %s", exc)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # Autocommit mode: the transaction is ours (BEGIN IMMEDIATE takes the write lock
            # at once, so a numbering read and its inserts see the same log).
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            for pragma in _PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
        return self._conn


def _commit(conn: sqlite3.Connection, steps: Generator[Step, Any, None]) -> None:
    """Run a transaction's steps after its BEGIN, then commit; roll back on any failure."""
    try:
        answer: Any = None
        while True:
            try:
                step = steps.send(answer)
            except StopIteration:
                break
            answer = _run(conn, step)
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.IntegrityError | sqlite3.DataError):
            raise EntryRefused(str(exc)[:300]) from exc
        raise


def _run(conn: sqlite3.Connection, step: Step) -> Any:
    if isinstance(step, Compute):
        return step.work()
    if isinstance(step, Many):
        conn.executemany(step.sql, [_sqlite_args(row) for row in step.rows])
        return None
    # SQLite has no row locks: BEGIN IMMEDIATE already holds the database's write lock.
    rows = conn.execute(step.sql.replace(" FOR UPDATE", ""), _sqlite_args(step.args))
    return step_result(step, [row[0] for row in rows])


def _sqlite_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_sqlite_time(a) if isinstance(a, datetime) else a for a in args)


def _sqlite_time(moment: datetime) -> str:
    """As SQLAlchemy stores a DateTime in SQLite (server/core/db.py `UtcDateTime`): UTC,
    without an offset, to the microsecond."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
