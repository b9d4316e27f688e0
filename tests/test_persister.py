"""The persister under storage faults (issue 10, defects 8 and 12), through a store wrapper that
fails on demand: one invoice's refused entry does not block the others, faults back off and are
reported, and a room whose updates cannot be made durable refuses edits with a notice."""

from __future__ import annotations

import time
from collections.abc import Sequence

from collab.sync import Limits, LogEntry, MemoryStore, Persister, Snapshot
from collab.sync.persister import STORAGE_UNAVAILABLE, EntryRefused, Item
from collab.sync.protocol import NoticeMessage, encode_update
from tests.harness import wait_until
from tests.test_room import EDITOR, Connection, content, joined, line_updates, registry


class FaultyStore(MemoryStore):
    """A MemoryStore whose writes fail like a database would: `down` is a storage fault for
    every write (or only for `down_docs`), `refuse` the (doc, seq) entries it rejects."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.down_docs: set[str] = set()
        self.refuse: set[tuple[str, int]] = set()
        self.attempts = 0
        self.kept: list[tuple[Item, str]] = []

    async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
        self.attempts += 1
        docs = {e.doc_id for e in entries} | {s.doc_id for s in snapshots}
        if self.down or docs & self.down_docs:
            raise OSError("database or disk is full")
        if any((e.doc_id, e.seq) in self.refuse for e in entries):
            raise EntryRefused("CHECK constraint failed") from ValueError("value too long")
        await super().write(entries, snapshots)

    async def quarantine(self, item: Item, reason: str) -> None:
        self.kept.append((item, reason))


def _entries(doc_id: str, count: int) -> list[LogEntry]:
    return [LogEntry(doc_id, i + 1, u, "u", 0.0) for i, u in enumerate(line_updates(count))]


def _seqs(store: MemoryStore, doc_id: str) -> list[int]:
    return [e.seq for e in store.log.get(doc_id, [])]


async def test_a_refused_entry_is_quarantined_and_other_invoices_stay_durable() -> None:
    store = FaultyStore()
    store.refuse = {("bad", 2)}
    async with Persister(store, first_retry_delay=0.01) as persister:
        for good, bad in zip(_entries("good", 3), _entries("bad", 3), strict=True):
            persister.append(bad)
            persister.append(good)
        assert await persister.flush(5.0), "one refused entry blocked durability"
        assert _seqs(store, "good") == [1, 2, 3]
        assert _seqs(store, "bad") == [1, 3]  # the rest of its own invoice flows too
        assert [(q.doc_id, q.seq, q.kind) for q in persister.quarantined] == [("bad", 2, "update")]
        assert "value too long" in persister.quarantined[0].reason
        assert [(item.doc_id, item.seq) for item, _ in store.kept] == [("bad", 2)]
        assert persister.pending == 0 and persister.degraded is None


async def test_one_invoice_failing_does_not_hold_back_the_others() -> None:
    store = FaultyStore()
    store.down_docs = {"stuck"}
    async with Persister(store, first_retry_delay=0.01, max_retry_delay=0.05) as persister:
        persister.append(_entries("stuck", 1)[0])
        for entry in _entries("flowing", 5):
            persister.append(entry)
            assert await persister.flush(2.0, doc_id="flowing")
        assert _seqs(store, "flowing") == [1, 2, 3, 4, 5]
        assert persister.refusal("stuck") == STORAGE_UNAVAILABLE
        assert persister.refusal("flowing") is None
        store.down_docs.clear()
        assert await persister.flush(2.0)
        assert _seqs(store, "stuck") == [1] and persister.degraded is None


async def test_a_storage_fault_is_reported_retried_with_bounded_backoff_and_recovers() -> None:
    store = FaultyStore()
    store.down = True
    changes: list[str | None] = []
    async with Persister(store, first_retry_delay=0.01, max_retry_delay=0.1) as persister:
        persister.on_change.append(lambda: changes.append(persister.degraded))
        persister.append(_entries("a", 1)[0])
        await wait_until(lambda: persister.degraded is not None, what="fault reported")
        # The whole database is down: an invoice with nothing queued refuses edits too.
        assert persister.refusal("other") == STORAGE_UNAVAILABLE
        assert "disk is full" in (persister.degraded or "")
        started, before = time.monotonic(), store.attempts
        await wait_until(lambda: time.monotonic() - started > 0.5, what="time passing")
        retries = store.attempts - before
        assert 2 <= retries <= 12, f"{retries} attempts in 0.5 s: backoff not bounded as set"
        assert not await persister.flush(0.05)  # nothing is durable yet, nothing pretends
        store.down = False
        assert await persister.flush(2.0)
        assert _seqs(store, "a") == [1] and persister.refusal("a") is None
        assert changes[0] is not None and changes[-1] is None


async def test_a_room_refuses_edits_with_a_notice_while_storage_is_down() -> None:
    store = FaultyStore()
    limits = Limits()
    updates = line_updates(4)
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        writer, other = Connection(room, EDITOR, limits), Connection(room, EDITOR, limits)
        await joined(room, 2)
        writer.send(encode_update(updates[0]))
        await wait_until(lambda: store.log.get("inv"), what="first update durable")
        store.down = True
        writer.send(encode_update(updates[1]))  # accepted before the fault is known
        await wait_until(lambda: _notices(other, "storage"), what="storage notice")
        assert _notices(other, "storage")[-1]["status"] == "unavailable"
        fanned_out = len(other.updates())
        writer.send(encode_update(updates[2]))
        await wait_until(lambda: _notices(writer, "update_refused"), what="refusal")
        assert _notices(writer, "update_refused")[-1]["reason"] == STORAGE_UNAVAILABLE
        assert content(room.doc) == ["l0", "l1"]  # the refused line is not in the document
        # What the other client got since is the compensation only, not the refused line.
        assert len(other.updates()) == fanned_out + 1
        late = Connection(room, EDITOR, limits)  # joins during the outage: told at once
        await wait_until(lambda: _notices(late, "storage"), what="storage notice on join")
        assert _notices(late, "storage")[0]["status"] == "unavailable"
        store.down = False
        await wait_until(
            lambda: _notices(other, "storage")[-1]["status"] == "ok", what="storage back"
        )
        assert _seqs(store, "inv")[:2] == [1, 2]  # the update accepted before is durable
        writer.send(encode_update(updates[3]))
        await wait_until(lambda: "l3" in content(room.doc), what="edits accepted again")
        await writer.close()
        await other.close()
        await late.close()


def _notices(connection: Connection, kind: str) -> list[dict[str, object]]:
    return [
        m.body
        for m in connection.messages()
        if isinstance(m, NoticeMessage) and m.body.get("type") == kind
    ]


async def test_shutdown_with_storage_down_does_not_hang() -> None:
    store = FaultyStore()
    store.down = True
    persister = Persister(store, first_retry_delay=0.01, shutdown_wait=0.1)
    async with persister:
        persister.append(_entries("a", 1)[0])
        await wait_until(lambda: persister.degraded is not None, what="fault")
    assert persister.pending == 1  # reported, not pretended durable
