"""The collaboration layer's UpdateStore on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Snapshot, StoredDocument
from collab.sync.persister import EntryRefused
from server.invoices.models import InvoiceSnapshot, InvoiceUpdate, QuarantinedUpdate


class SqlUpdateStore:
    def __init__(self, engine: AsyncEngine, *, guard: Callable[[], None] | None = None) -> None:
        self._engine = engine
        # Raises when the database is no longer the one we opened (e.g. the SQLite file was
        # deleted: writes would go to an unlinked file and vanish at the next start).
        self._guard = guard
        # Log entries set aside by loads since the start (reported by health, say).
        self.set_aside_total = 0

    async def load(self, doc_id: str) -> StoredDocument:
        async with self._engine.connect() as conn:
            snapshot = (
                await conn.execute(
                    select(InvoiceSnapshot.seq, InvoiceSnapshot.data)
                    .where(InvoiceSnapshot.invoice_id == doc_id)
                    .order_by(InvoiceSnapshot.seq.desc())
                    .limit(1)
                )
            ).first()
            after = snapshot.seq if snapshot else 0
            rows = (
                await conn.execute(
                    select(InvoiceUpdate.seq, InvoiceUpdate.data, InvoiceUpdate.set_aside)
                    .where(InvoiceUpdate.invoice_id == doc_id, InvoiceUpdate.seq > after)
                    .order_by(InvoiceUpdate.seq)
                )
            ).all()
        loaded = [row for row in rows if not row.set_aside]
        return StoredDocument(
            snapshot=snapshot.data if snapshot else None,
            updates=[row.data for row in loaded],
            # Counting set-aside rows too: their seqs stay taken.
            last_seq=rows[-1].seq if rows else after,
            seqs=[row.seq for row in loaded],
        )

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
        if self._guard is not None:
            self._guard()
        try:
            await self._write(entries, snapshots)
        except (IntegrityError, DataError) as exc:
            # The data itself was refused (a constraint, a value the column cannot hold): the
            # persister isolates and quarantines it. Anything else is a storage fault.
            raise EntryRefused(str(exc.orig)[:300]) from exc

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

    async def _write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            if entries:
                await conn.execute(insert(InvoiceUpdate), [_row(entry) for entry in entries])
            for snapshot in snapshots:
                # The new snapshot supersedes the older ones and the log up to its seq; the log
                # rows stay, marked, for history. Deleting first makes a repeated write harmless.
                await conn.execute(
                    delete(InvoiceSnapshot).where(
                        InvoiceSnapshot.invoice_id == snapshot.doc_id,
                        InvoiceSnapshot.seq <= snapshot.seq,
                    )
                )
                await conn.execute(
                    insert(InvoiceSnapshot).values(
                        invoice_id=snapshot.doc_id,
                        seq=snapshot.seq,
                        data=snapshot.data,
                        created_at=now,
                    )
                )
                await conn.execute(
                    update(InvoiceUpdate)
                    .where(
                        InvoiceUpdate.invoice_id == snapshot.doc_id,
                        InvoiceUpdate.seq <= snapshot.seq,
                        InvoiceUpdate.compacted.is_(False),
                    )
                    .values(compacted=True)
                )


def _row(entry: LogEntry) -> dict[str, Any]:
    return {
        "invoice_id": entry.doc_id,
        "seq": entry.seq,
        "data": entry.data,
        "user_id": entry.user_id,
        "created_at": datetime.fromtimestamp(entry.at, UTC),
        "compacted": False,
    }
