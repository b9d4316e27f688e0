"""The collaboration layer's UpdateStore on SQLAlchemy (SQLite or PostgreSQL).

Shared (several processes writing one invoice, REDIS_URL set): the database numbers the log. A
transaction first locks the rows of the invoices it writes (in id order, so two cannot
deadlock), then numbers its entries after the invoice's last seq: seqs stay gapless and in
commit order per invoice whichever process wrote them. A snapshot, written under the same lock,
first takes in every committed entry of its invoice that it may lack (another process's edit
still on its way through Redis), so that it covers exactly the entries it marks compacted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from collab.sync import LogEntry, Snapshot, StoredDocument
from collab.sync.errors import is_crdt_failure
from collab.sync.persister import EntryRefused
from server.invoices.models import Invoice, InvoiceSnapshot, InvoiceUpdate, QuarantinedUpdate

log = logging.getLogger(__name__)


class SqlUpdateStore:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        guard: Callable[[], None] | None = None,
        shared: bool = False,
    ) -> None:
        self._engine = engine
        self._shared = shared
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

    async def last_seq(self, doc_id: str) -> int:
        """The seq of the invoice's last durable log entry (0 when it has none)."""
        async with self._engine.connect() as conn:
            found = await conn.scalar(
                select(func.max(InvoiceUpdate.seq)).where(InvoiceUpdate.invoice_id == doc_id)
            )
        return int(found or 0)

    async def _write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            if self._shared:
                entries, snapshots = await _numbered(conn, entries, snapshots)
            if entries:
                await conn.execute(insert(InvoiceUpdate), [_row(entry) for entry in entries])
            for snapshot in snapshots:
                if self._shared:
                    snapshot = await _complete(conn, snapshot)
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


async def _numbered(
    conn: AsyncConnection, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]
) -> tuple[list[LogEntry], list[Snapshot]]:
    """Lock the invoices written and number the entries after each one's last seq."""
    docs = sorted({e.doc_id for e in entries} | {s.doc_id for s in snapshots})
    await conn.execute(
        select(Invoice.id).where(Invoice.id.in_(docs)).order_by(Invoice.id).with_for_update()
    )
    last = dict.fromkeys(docs, 0)
    found = await conn.execute(
        select(InvoiceUpdate.invoice_id, func.max(InvoiceUpdate.seq))
        .where(InvoiceUpdate.invoice_id.in_(docs))
        .group_by(InvoiceUpdate.invoice_id)
    )
    last.update({doc_id: seq for doc_id, seq in found.all()})
    numbered = []
    for entry in entries:
        last[entry.doc_id] += 1
        numbered.append(replace(entry, seq=last[entry.doc_id]))
    return numbered, [replace(s, seq=last[s.doc_id]) for s in snapshots]


async def _complete(conn: AsyncConnection, snapshot: Snapshot) -> Snapshot:
    """The snapshot with everything stored of its invoice taken in: the snapshot it replaces
    (another process's, covering entries this process may not have received yet) and every
    committed, uncompacted entry."""
    previous = await conn.scalar(
        select(InvoiceSnapshot.data)
        .where(InvoiceSnapshot.invoice_id == snapshot.doc_id)
        .order_by(InvoiceSnapshot.seq.desc())
        .limit(1)
    )
    rows = await conn.execute(
        select(InvoiceUpdate.data).where(
            InvoiceUpdate.invoice_id == snapshot.doc_id,
            InvoiceUpdate.compacted.is_(False),
            InvoiceUpdate.set_aside.is_(False),
        )
    )
    updates = [row.data for row in rows]
    data = await asyncio.to_thread(_merged, snapshot.data, previous, updates)
    return replace(snapshot, data=data)


def _merged(snapshot: bytes, previous: bytes | None, updates: list[bytes]) -> bytes:
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


def _row(entry: LogEntry) -> dict[str, Any]:
    return {
        "invoice_id": entry.doc_id,
        "seq": entry.seq,
        "data": entry.data,
        "user_id": entry.user_id,
        "created_at": datetime.fromtimestamp(entry.at, UTC),
        "compacted": False,
    }
