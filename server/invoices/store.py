"""The collaboration layer's UpdateStore on SQLite or PostgreSQL: loads and the rare writes on
SQLAlchemy, the log writes on a connection of their own (server/invoices/log_writer.py).

Shared (several processes writing one invoice, REDIS_URL set): the database numbers the log. A
transaction first locks the rows of the invoices it writes (in id order, so two cannot
deadlock), then numbers its entries after the invoice's last seq: seqs stay gapless and in
commit order per invoice whichever process wrote them. A snapshot, written under the same lock,
first takes in every committed entry of its invoice that it may lack (another process's edit
still on its way through Redis), so that it covers exactly the entries it marks compacted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine.url import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Snapshot, StoredDocument
from server.core.db import sqlite_path
from server.invoices.log_reader import Loaded, SqliteLogReader
from server.invoices.log_writer import LogWriter, PostgresLogWriter
from server.invoices.log_writer_sqlite import SqliteLogWriter
from server.invoices.models import InvoiceSnapshot, InvoiceUpdate, QuarantinedUpdate

_SEQ, _DATA = itemgetter(0), itemgetter(1)  # of a log row


def log_writer(url: URL, *, shared: bool) -> LogWriter:
    """The log writer for the database of a SQLAlchemy engine's URL."""
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            # It would exist only on the engine's own connection: there is nothing to share.
            raise ValueError("the update log needs a SQLite file or PostgreSQL")
        return SqliteLogWriter(Path(url.database), shared=shared)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return PostgresLogWriter(dsn, shared=shared)


class SqlUpdateStore:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        guard: Callable[[], None] | None = None,
        shared: bool = False,
    ) -> None:
        self._engine = engine
        self._writer = log_writer(engine.url, shared=shared)
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        self._reader = SqliteLogReader(path) if path is not None else None
        # Raises when the database is no longer the one we opened (e.g. the SQLite file was
        # deleted: writes would go to an unlinked file and vanish at the next start).
        self._guard = guard
        # Log entries set aside by loads since the start (reported by health, say).
        self.set_aside_total = 0

    async def load(self, doc_id: str) -> StoredDocument:
        loaded = await (self._reader.load(doc_id) if self._reader else self._load(doc_id))
        return StoredDocument(
            snapshot=loaded.snapshot[1] if loaded.snapshot else None,
            updates=list(map(_DATA, loaded.rows)),
            last_seq=loaded.last_seq,
            seqs=list(map(_SEQ, loaded.rows)),
        )

    async def _load(self, doc_id: str) -> Loaded:
        """The SQLite reader's read (server/invoices/log_reader.py) on SQLAlchemy."""
        async with self._engine.connect() as conn:
            found = (
                await conn.execute(
                    select(InvoiceSnapshot.seq, InvoiceSnapshot.data)
                    .where(InvoiceSnapshot.invoice_id == doc_id)
                    .order_by(InvoiceSnapshot.seq.desc())
                    .limit(1)
                )
            ).first()
            after = found.seq if found else 0
            rows = await conn.execute(
                select(InvoiceUpdate.seq, InvoiceUpdate.data)
                .where(
                    InvoiceUpdate.invoice_id == doc_id,
                    InvoiceUpdate.seq > after,
                    InvoiceUpdate.set_aside.is_(False),
                )
                .order_by(InvoiceUpdate.seq)
            )
            loaded = [(row.seq, row.data) for row in rows]
            last = await conn.scalar(
                select(func.max(InvoiceUpdate.seq)).where(InvoiceUpdate.invoice_id == doc_id)
            )
        return Loaded((found.seq, found.data) if found else None, loaded, max(after, last or 0))

    async def set_aside(self, doc_id: str, seqs: Sequence[int]) -> None:
        """Mark log entries that cannot be replayed: later loads skip them; kept for history."""
        self.set_aside_total += len(seqs)
        async with self._engine.begin() as conn:
            await conn.execute(
                update(InvoiceUpdate)
                .where(InvoiceUpdate.invoice_id == doc_id, InvoiceUpdate.seq.in_(list(seqs)))
                .values(set_aside=True)
            )

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        """One transaction on the log writer's own connection (server/invoices/log_writer.py).
        EntryRefused when the data itself was refused (a constraint, a value the column cannot
        hold): the persister isolates and quarantines it. Anything else is a storage fault."""
        if self._guard is not None:
            self._guard()
        await self._writer.write(entries, snapshots)

    async def aclose(self) -> None:
        await self._writer.aclose()
        if self._reader is not None:
            await self._reader.aclose()

    async def quarantine(self, item: LogEntry | Snapshot, reason: str) -> None:
        """Keep an entry the database refused, outside the log, for an operator."""
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(QuarantinedUpdate).values(
                    invoice_id=item.doc_id,
                    seq=item.seq,
                    kind="update" if isinstance(item, LogEntry) else "snapshot",
                    data=item.data,
                    user_id=item.user_id if isinstance(item, LogEntry) else None,
                    reason=reason,
                    created_at=datetime.now(UTC),
                )
            )

    async def last_seq(self, doc_id: str) -> int:
        """The seq of the invoice's last durable log entry (0 when it has none)."""
        async with self._engine.connect() as conn:
            found = await conn.scalar(
                select(func.max(InvoiceUpdate.seq)).where(InvoiceUpdate.invoice_id == doc_id)
            )
        return int(found or 0)
