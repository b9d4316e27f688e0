"""An invoice's history, replayed from its attributed update log.

Every accepted update is a row of `invoice_updates` (compacted ones included: a snapshot marks
them, never deletes them), so replaying the rows in seq order into a fresh document gives the
document after any update. `Replay` does that and reports, for each update, the field paths it
changed from what to what; collab/invoice/history.py groups them into the timeline.

Replays are blocking (pycrdt), so they run in a worker thread, at most `REPLAY_SLOTS` at a time
per process: a burst of history requests queues instead of taking every thread and core.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from pycrdt import Array, Doc, Map
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.document import INVOICE_SHAPE
from collab.invoice.history import (
    TYPING_PAUSE_SECONDS,
    Change,
    Entry,
    LoggedChange,
    TimelineBuilder,
    header_changes,
    row_changes,
)
from collab.shape import Rows
from collab.sync import StoredDocument
from collab.sync.errors import is_crdt_failure
from server.invoices.documents import document_json
from server.invoices.models import InvoiceUpdate

log = logging.getLogger(__name__)
T = TypeVar("T")

# Concurrent replays per process (each holds a core while it runs; we are sized for two).
REPLAY_SLOTS = 2
_slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class LogRow:
    seq: int
    data: bytes
    author: str | None
    at: float  # epoch seconds


async def log_rows(
    db: AsyncSession, invoice_id: str, *, through: int | None = None
) -> list[LogRow]:
    """The invoice's log in seq order, compacted rows included; rows set aside (unreplayable,
    see collab/sync/store.py) are left out as every load leaves them out."""
    query = select(
        InvoiceUpdate.seq, InvoiceUpdate.data, InvoiceUpdate.user_id, InvoiceUpdate.created_at
    ).where(InvoiceUpdate.invoice_id == invoice_id, InvoiceUpdate.set_aside.is_(False))
    if through is not None:
        query = query.where(InvoiceUpdate.seq <= through)
    rows = (await db.execute(query.order_by(InvoiceUpdate.seq))).all()
    return [LogRow(r.seq, r.data, r.user_id, r.created_at.timestamp()) for r in rows]


async def in_thread(work: Callable[[], T]) -> T:
    """Run a blocking replay off the event loop, bounded to REPLAY_SLOTS at a time."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(REPLAY_SLOTS)
    async with slots:
        return await asyncio.to_thread(work)


class Replay:
    """A fresh document fed log entries in order, saying what each one changed.

    Only what an update touched is read back from the document (the header when it changed,
    the rows an array event inserted or deleted, the rows a nested event names), so the cost
    of an update is about its own size, not the document's: a 1,000-line invoice costs no more
    per keystroke than a one-line one.
    """

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self._header = self.doc.get(INVOICE_SHAPE.header_root, type=Map)
        self._header_json: dict[str, Any] = {}
        self._header_dirty = False
        self._header.observe_deep(self._on_header)
        self._collections = [_RowsReplay(self.doc, rows) for rows in INVOICE_SHAPE.rows]

    def _on_header(self, _events: list[Any]) -> None:
        self._header_dirty = True

    def apply(self, update: bytes) -> list[Change]:
        """Apply one log entry; the field changes it made, header first, then each row
        collection in the shape's order (lines, then adjustments)."""
        self._header_dirty = False
        for collection in self._collections:
            collection.start()
        self.doc.apply_update(update)
        changes: list[Change] = []
        if self._header_dirty:
            header = self._header.to_py() or {}
            changes += header_changes(self._header_json, header)
            self._header_json = header
        for collection in self._collections:
            changes += collection.changes()
        return changes

    def document(self) -> dict[str, Any]:
        return document_json(self.doc)


class _RowsReplay:
    """One row collection of a replayed document: its ids by position and each row's value."""

    def __init__(self, doc: Doc[Any], rows: Rows) -> None:
        self._rows = rows
        self._array = doc.get(rows.root, type=Array)
        self._order: list[str] = []  # row ids by position
        self._row_json: dict[str, dict[str, Any]] = {}
        self._deltas: list[list[dict[str, Any]]] = []
        self._positions: set[int] = set()
        self._array.observe_deep(self._on_rows)

    def start(self) -> None:
        self._deltas, self._positions = [], set()

    def _on_rows(self, events: list[Any]) -> None:
        for event in events:
            path = list(event.path)
            if not path:
                self._deltas.append(list(event.delta))
            elif isinstance(path[0], int):
                self._positions.add(path[0])

    def changes(self) -> list[Change]:
        """What the last update changed in this collection (nothing when it was not touched)."""
        if not self._deltas and not self._positions:
            return []
        before: dict[str, dict[str, Any] | None] = {}  # old value of every row touched
        inserted: dict[str, dict[str, Any]] = {}
        order = self._order
        for delta in self._deltas:
            order, added = self._walk(order, delta, before)
            inserted.update(added)
        if len(order) != len(self._array):  # cannot happen with a consistent delta: re-read
            log.warning("history replay: %s positions out of step; rereading", self._rows.root)
            return self._reread(before)
        for position in self._positions:
            if position < len(order):
                row_id = order[position]
                before.setdefault(row_id, self._row_json.get(row_id))
                inserted[row_id] = self._plain_row(self._array[position])
        self._order = order
        present = set(order)
        changes: list[Change] = []
        for row_id, old in before.items():
            new = inserted.get(row_id) if row_id in present else None
            if new is None and row_id in present:
                new = self._row_json.get(row_id)
            if new is None:
                self._row_json.pop(row_id, None)
            else:
                self._row_json[row_id] = new
            changes += row_changes(self._rows.root, row_id, old, new)
        return changes

    def _walk(
        self,
        order: list[str],
        delta: list[dict[str, Any]],
        before: dict[str, dict[str, Any] | None],
    ) -> tuple[list[str], dict[str, dict[str, Any]]]:
        """Apply one array delta (retain / delete / insert) to the list of row ids."""
        new_order: list[str] = []
        inserted: dict[str, dict[str, Any]] = {}
        at = 0
        for op in delta:
            if "retain" in op:
                new_order += order[at : at + op["retain"]]
                at += op["retain"]
            elif "delete" in op:
                for row_id in order[at : at + op["delete"]]:
                    before.setdefault(row_id, self._row_json.get(row_id))
                at += op["delete"]
            elif "insert" in op:
                for item in op["insert"]:
                    row = self._plain_row(item)
                    row_id = str(row.get(self._rows.row_id))
                    before.setdefault(row_id, self._row_json.get(row_id))
                    inserted[row_id] = row
                    new_order.append(row_id)
        return new_order + order[at:], inserted

    def _reread(self, before: dict[str, dict[str, Any] | None]) -> list[Change]:
        old = {**self._row_json, **{k: v for k, v in before.items() if v is not None}}
        rows = [self._plain_row(item) for item in self._array]
        self._order = [str(row.get(self._rows.row_id)) for row in rows]
        self._row_json = dict(zip(self._order, rows, strict=True))
        changes: list[Change] = []
        for row_id in sorted(set(old) | set(self._row_json)):
            changes += row_changes(
                self._rows.root, row_id, old.get(row_id), self._row_json.get(row_id)
            )
        return changes

    @staticmethod
    def _plain_row(item: object) -> dict[str, Any]:
        value = item.to_py() if isinstance(item, Map) else None
        return value if isinstance(value, dict) else {}


def replay_timeline(
    rows: Sequence[LogRow], *, pause: float = TYPING_PAUSE_SECONDS
) -> tuple[list[Entry], int]:
    """The grouped timeline of a log, and how many entries it replayed."""
    replay = Replay()
    builder = TimelineBuilder(pause=pause)
    for row in rows:
        try:
            changes = replay.apply(row.data)
        except BaseException as exc:  # pycrdt's PanicException is a BaseException
            if not is_crdt_failure(exc):
                raise
            # Loads set such entries aside; one that slipped through costs its own line only.
            log.error("history replay: log entry %d cannot be applied (%r)", row.seq, exc)
            replay = _rebuilt(rows, upto=row.seq)
            continue
        builder.add(LoggedChange(row.seq, row.author, row.at, changes))
    return builder.entries(), len(rows)


def _rebuilt(rows: Sequence[LogRow], *, upto: int) -> Replay:
    """A replay of the entries before `upto` that apply (after a failed apply half-changed it)."""
    replay = Replay()
    for row in rows:
        if row.seq >= upto:
            break
        try:
            replay.apply(row.data)
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise
    return replay


def document_at(rows: Sequence[LogRow]) -> dict[str, Any]:
    """The document after the last of `rows` (replayed in one transaction; entries pycrdt
    refuses are skipped, as a load skips them)."""
    stored = StoredDocument(
        snapshot=None, updates=[r.data for r in rows], last_seq=0, seqs=[r.seq for r in rows]
    )
    return document_json(stored.to_doc())
