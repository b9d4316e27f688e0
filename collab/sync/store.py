"""What the collaboration layer needs from storage: the port, and an in-memory implementation.

`server/` implements `UpdateStore` on SQLAlchemy; the in-memory store serves unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import Doc


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One Yjs update as received, attributed to the user who sent it."""

    doc_id: str
    seq: int
    data: bytes
    user_id: str | None
    at: float  # seconds since the epoch


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole document re-encoded after applying every update up to `seq`."""

    doc_id: str
    seq: int
    data: bytes


@dataclass(frozen=True, slots=True)
class StoredDocument:
    snapshot: bytes | None
    updates: list[bytes]  # log entries after the snapshot, in order
    last_seq: int

    def to_doc(self) -> Doc[Any]:
        """The document: the snapshot, then the log. One transaction for the whole replay
        halves its cost (10,000 updates: 18 -> 10 ms) and gives the same state."""
        doc: Doc[Any] = Doc()
        with doc.transaction():
            if self.snapshot is not None:
                doc.apply_update(self.snapshot)
            for update in self.updates:
                doc.apply_update(update)
        return doc


class UpdateStore(Protocol):
    async def load(self, doc_id: str) -> StoredDocument:
        """The latest snapshot and the log after it; raise to refuse the load."""
        ...

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        """Append `entries` and store `snapshots` in one transaction.

        A snapshot supersedes the log entries of its document up to its `seq`; they stay
        available for history but are no longer loaded.
        """
        ...


@dataclass
class MemoryStore:
    """An UpdateStore in memory, for tests and tools."""

    log: dict[str, list[LogEntry]] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    writes: int = 0

    async def load(self, doc_id: str) -> StoredDocument:
        snapshot = self.snapshots.get(doc_id)
        after = snapshot.seq if snapshot else 0
        entries = self.log.get(doc_id, [])
        return StoredDocument(
            snapshot=snapshot.data if snapshot else None,
            updates=[e.data for e in entries if e.seq > after],
            last_seq=max([after, *(e.seq for e in entries)]),
        )

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        self.writes += 1
        for entry in entries:
            self.log.setdefault(entry.doc_id, []).append(entry)
        for snapshot in snapshots:
            self.snapshots[snapshot.doc_id] = snapshot
