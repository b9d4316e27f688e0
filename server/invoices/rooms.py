"""What the server adds to an invoice's room: edit rules from the invoice's state, and the
invoices table's derived columns (customer, dates, totals) kept up to date from the document."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.validation import Evaluation, evaluate
from collab.invoice.workflow import State, read_only_reason
from collab.sync import Identity, Room
from collab.sync.locks import Lock
from server.audit import service as audit
from server.audit.service import AuditKind
from server.core import changes
from server.invoices.documents import document_json
from server.invoices.models import Invoice

log = logging.getLogger(__name__)

SETTLE_SECONDS = 0.25  # at most this long added to a list by the records it brings forward
RECHECK_BATCH_SECONDS = 0.05  # the rooms to re-read gather this long into one query
RECHECK_CHUNK = 500  # ids in one query
# What a room's `frozen` says in each state; anything else is a transition's pause.
_STATE_REASONS = {read_only_reason(state) for state in State}


def derived_columns(document: dict[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    """The invoices-table columns that summarise a document, for listing and sorting."""
    header = document["invoice"]
    customer = header.get("customer")
    totals = evaluation.totals
    return {
        "customer_name": (customer.get("name") if isinstance(customer, dict) else None) or None,
        "customer_vat_id": (
            str(customer.get("vat_id") or "")[:20] if isinstance(customer, dict) else ""
        )
        or None,
        "currency": str(header.get("currency") or "EUR")[:3],
        "issue_date": _short(header.get("issue_date")),
        "due_date": _short(header.get("due_date")),
        "net": totals["net"] if totals else "0",
        "tax": totals["tax"] if totals else "0",
        "gross": totals["gross"] if totals else "0",
        "gross_value": Decimal(totals["gross"]) if totals else Decimal(0),
        "line_count": len(document["lines"]),
        "issue_count": len(evaluation.issues),
    }


def _short(value: object) -> str | None:
    return value[:10] if isinstance(value, str) and value else None


class InvoiceRooms:
    """The room setup hook of the registry, and the debounced recorder of derived columns.

    A change is recorded `debounce` seconds after it, and a room's records are at least
    `interval` seconds apart: reading the document and evaluating it cost about 4 ms for 50
    lines, so a room edited without pause costs 2 ms of CPU a second, not 8 (the list and the
    board then lag by up to `interval`).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        debounce: float = 0.5,
        interval: float = 2.0,
    ) -> None:
        self._sessions = sessions
        self._debounce = debounce
        self._interval = interval
        # invoice -> (its room, its organization, the record waiting for its turn)
        self._pending: dict[str, tuple[Room, str, asyncio.Task[None]]] = {}
        self._recorded: dict[str, float] = {}  # invoice -> loop time of its last record
        self._background: set[asyncio.Task[None]] = set()
        self._stale: dict[str, Room] = {}  # rooms whose state is to be read again
        self._rechecking: asyncio.Task[None] | None = None

    async def setup(self, invoice_id: str) -> Callable[[Room], None]:
        """The registry's setup (collab/sync/registry.py): the invoice's row is read while its
        log loads. A transition made in this process meanwhile waits for the load (it acquires
        the room); one made by another process is caught by `recheck` once the room's channel
        is live."""
        async with self._sessions() as db:
            invoice = await db.get(Invoice, invoice_id)
        if invoice is None:
            raise LookupError(f"no invoice {invoice_id}")
        return partial(self._set_up, invoice.org_id, read_only_reason(State(invoice.status)))

    def _set_up(self, org_id: str, frozen: str | None, room: Room) -> None:
        room.frozen = frozen
        room.listeners.append(partial(self._changed, org_id))
        room.locks.on_broken.append(partial(self._lock_broken, org_id, room.doc_id))
        # Heals columns left stale by a crash, off the connection's path.
        self._changed(org_id, room)

    def recheck(self, rooms: Iterable[Room]) -> None:
        """Read these rooms' states from the database again, soon and in one query: with
        several processes a transition's message can be lost (Redis pub/sub is at-most-once,
        and says nothing while Redis is away), and a room loading while another process made
        one heard of it too late. Called when a room's channel goes live, after a reconnection
        and periodically (collab/sync/cluster.py, `on_recheck`)."""
        for room in rooms:
            self._stale[room.doc_id] = room
        if self._stale and self._rechecking is None:
            self._rechecking = asyncio.create_task(self._recheck_soon())

    async def _recheck_soon(self) -> None:
        await asyncio.sleep(RECHECK_BATCH_SECONDS)  # the rooms of one reconnection together
        try:
            while self._stale:
                batch = dict(itertools.islice(self._stale.items(), RECHECK_CHUNK))
                for doc_id in batch:
                    del self._stale[doc_id]
                await self._recheck_states(batch)
        except Exception:  # the next pass retries
            log.exception("re-reading the invoices' states failed")
            self._stale.clear()
        finally:
            self._rechecking = None

    async def _recheck_states(self, rooms: dict[str, Room]) -> None:
        before = {doc_id: room.frozen for doc_id, room in rooms.items()}
        async with self._sessions() as db:
            rows = await db.execute(
                select(Invoice.id, Invoice.status).where(Invoice.id.in_(list(rooms)))
            )
        for doc_id, status in rows.all():
            room, was = rooms[doc_id], before[doc_id]
            # Changed while we read (a newer word), or paused by a transition under way here.
            if room.frozen != was or was not in _STATE_REASONS:
                continue
            reason = read_only_reason(State(status))
            if reason != was:
                log.warning("invoice %s: the %s state was missed here; now applied", doc_id, status)
                room.frozen = reason

    def _changed(self, org_id: str, room: Room) -> None:
        if room.doc_id in self._pending:
            return
        now = asyncio.get_running_loop().time()
        if len(self._recorded) > 4096:  # only the recent ones matter
            self._recorded = {k: t for k, t in self._recorded.items() if now - t < self._interval}
        due = self._recorded.get(room.doc_id, -self._interval) + self._interval
        delay = max(self._debounce, due - now)
        waiting = asyncio.create_task(self._record_later(room, delay))
        self._pending[room.doc_id] = (room, org_id, waiting)

    async def _record_later(self, room: Room, delay: float) -> None:
        await asyncio.sleep(delay)
        self._pending.pop(room.doc_id, None)  # a change from here on schedules the next one
        self._recorded[room.doc_id] = asyncio.get_running_loop().time()
        await self._record(room)

    async def _record(self, room: Room) -> None:
        document = document_json(room.doc)
        columns = derived_columns(document, evaluate(document))
        if room.frozen is not None:
            # Past the draft the issue date is the workflow's (set_state at issue), which may be
            # today's where the document left it empty.
            columns.pop("issue_date")
        try:
            async with self._sessions.begin() as db:
                await db.execute(
                    update(Invoice)
                    .where(Invoice.id == room.doc_id)
                    .values(**columns, updated_at=datetime.now(UTC))
                )
        except Exception:
            # Derived data: the next change or load writes it again.
            log.exception("recording totals of invoice %s failed", room.doc_id)
            return
        changes.invoice_changed(None, room.doc_id)  # customer, amounts, due date on the board

    async def settle(self, org_ids: Collection[str]) -> None:
        """Record now what waits for its turn in these organizations: the invoice list reads
        these columns, and its reader may have just edited one (records are up to `interval`
        apart). Only the reader's organizations: a list must not bring every room of the
        process back to one record per debounce. The work is only moved earlier; past
        `SETTLE_SECONDS` the list answers with what is written."""
        if not self._pending:
            return
        now = asyncio.get_running_loop().time()
        records = []
        for doc_id, (room, org_id, waiting) in list(self._pending.items()):
            if org_id not in org_ids:
                continue
            waiting.cancel()  # still in its sleep: `_record_later` leaves `_pending` after it
            del self._pending[doc_id]
            self._recorded[doc_id] = now
            record = asyncio.create_task(self._record(room))
            self._background.add(record)
            record.add_done_callback(self._background.discard)
            records.append(record)
        if records:
            await asyncio.wait(records, timeout=SETTLE_SECONDS)

    def _lock_broken(self, org_id: str, invoice_id: str, admin: Identity, lock: Lock) -> None:
        task = asyncio.create_task(self._record_break(org_id, invoice_id, admin, lock))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _record_break(
        self, org_id: str, invoice_id: str, admin: Identity, lock: Lock
    ) -> None:
        try:
            async with self._sessions.begin() as db:
                audit.record(
                    db,
                    AuditKind.LOCK_BROKEN,
                    actor_id=admin.user_id,
                    ip=None,
                    org_id=org_id,
                    target=f"invoice {invoice_id} {lock.path}",
                    detail=f"held by {lock.holder.user_id} ({lock.holder.name})",
                )
        except Exception:
            log.exception("recording a broken lock on invoice %s failed", invoice_id)

    async def close(self) -> None:
        """Shutdown: write what is still waiting for its debounce now."""
        if self._rechecking is not None:
            self._rechecking.cancel()
            await asyncio.gather(self._rechecking, return_exceptions=True)
        pending = list(self._pending.values())
        self._pending.clear()
        for _, _, task in pending:
            task.cancel()
        await asyncio.gather(*(task for _, _, task in pending), return_exceptions=True)
        await asyncio.gather(*self._background, return_exceptions=True)
        for room, _, _ in pending:
            await self._record(room)
