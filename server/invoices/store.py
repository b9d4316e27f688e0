"""The collaboration layer's UpdateStore on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Snapshot, StoredDocument
from server.invoices.models import InvoiceSnapshot, InvoiceUpdate


class SqlUpdateStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
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
