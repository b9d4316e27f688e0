"""The room registry and the persister: shared loads, failed loads, compaction, unloading and
the setup hook, through in-memory channels (no sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from pycrdt import Doc

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import (
    Limits,
    LoadError,
    LogEntry,
    MemoryStore,
    Persister,
    Room,
    RoomRegistry,
    ShuttingDown,
    Snapshot,
    StoredDocument,
)
from collab.sync.protocol import SyncMessage, SyncType, decode_message, encode_update
from tests.harness import wait_for, wait_until
from tests.test_room import EDITOR, Connection, content, line_updates, registry


class SlowStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.release = asyncio.Event()
        self.fail = False

    async def load(self, doc_id: str) -> StoredDocument:
        self.loads += 1
        await self.release.wait()
        if self.fail:
            raise OSError("database unreachable")
        return await super().load(doc_id)


async def test_concurrent_opens_share_one_load_and_all_get_sync_step1() -> None:
    store = SlowStore()
    store.log["inv"] = [LogEntry("inv", 1, line_updates(1)[0], "u", 0.0)]
    async with registry(store) as rooms:
        waiters = [asyncio.create_task(rooms.acquire("inv")) for _ in range(10)]
        await asyncio.sleep(0)
        store.release.set()
        got = await asyncio.gather(*waiters)
        assert store.loads == 1
        assert all(room is got[0] for room in got) and got[0].refs == 10
        connections = [Connection(got[0], EDITOR, Limits()) for _ in range(10)]
        await wait_until(lambda: all(c.channel.sent for c in connections), what="step 1")
        for connection in connections:
            first = decode_message(connection.channel.sent[0])
            assert isinstance(first, SyncMessage) and first.kind is SyncType.STEP1
        for connection in connections:
            await connection.close()
            rooms.release(got[0])


async def test_a_failed_load_refuses_every_waiter_and_creates_no_room() -> None:
    store = SlowStore()
    store.fail = True
    async with registry(store) as rooms:
        waiters = [asyncio.create_task(rooms.acquire("inv")) for _ in range(3)]
        await asyncio.sleep(0)
        store.release.set()
        results = await asyncio.gather(*waiters, return_exceptions=True)
        assert all(isinstance(r, LoadError) for r in results)
        assert rooms.get("inv") is None
        assert store.writes == 0  # nothing, in particular no empty document, was saved
        store.fail = False  # the next open tries again
        assert (await rooms.acquire("inv")).doc_id == "inv"


async def test_compaction_writes_a_reencoded_snapshot_and_keeps_the_log() -> None:
    store = MemoryStore()
    limits = Limits(compact_after_updates=10)
    updates = line_updates(25)
    async with registry(store, compact_after_updates=10) as rooms:
        room = await rooms.acquire("inv")
        writer = Connection(room, EDITOR, limits)
        for update in updates:
            writer.send(encode_update(update))

        async def all_logged() -> bool:
            return len(store.log.get("inv", [])) == 25

        await wait_for(all_logged, what="25 updates logged")
        snapshot = store.snapshots["inv"]
        assert snapshot.seq == 20
        stored = await store.load("inv")
        assert stored.updates == updates[20:] and stored.last_seq == 25
        replayed: Doc[Any] = Doc()
        replayed.apply_update(snapshot.data)
        assert content(replayed) == [f"l{i}" for i in range(20)]
        await writer.close()
    # Shutting down snapshots the rest; the replaced log rows stay for history.
    assert store.snapshots["inv"].seq == 25
    assert [e.seq for e in store.log["inv"]] == list(range(1, 26))


async def test_an_idle_room_unloads_only_after_its_writes_are_durable() -> None:
    class CountingStore(MemoryStore):
        async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
            await asyncio.sleep(0.05)  # a slow disk
            await super().write(entries, snapshots)

    store = CountingStore()
    async with registry(store, room_idle_unload_seconds=0.01) as rooms:
        room = await rooms.acquire("inv")
        writer = Connection(room, EDITOR, Limits())
        for update in line_updates(3):
            writer.send(encode_update(update))
        await wait_until(lambda: room.seq == 3, what="updates applied")
        await writer.close()
        rooms.release(room)
        await wait_until(lambda: rooms.get("inv") is None, what="unload")
        # Unloaded means durable: the snapshot covering all three updates is stored.
        assert store.snapshots["inv"].seq == 3
        reloaded = await rooms.acquire("inv")
        assert reloaded is not room and content(reloaded.doc) == ["l0", "l1", "l2"]


async def test_reopening_during_unload_keeps_the_room() -> None:
    store = MemoryStore()
    async with registry(store, room_idle_unload_seconds=0.0) as rooms:
        room = await rooms.acquire("inv")
        rooms.release(room)
        again = await rooms.acquire("inv")  # arrives before the unload task runs
        await asyncio.sleep(0.05)
        assert again is room and rooms.get("inv") is room


async def test_setup_runs_before_anyone_joins_and_its_failure_refuses_the_load() -> None:
    store = MemoryStore()

    async def setup(doc_id: str) -> Callable[[Room], None]:
        if doc_id == "broken":
            raise OSError("invoice row missing")

        def prepare(room: Room) -> None:
            room.frozen = "not a draft"

        return prepare

    async with Persister(store) as persister:
        rooms = RoomRegistry(store, persister, Limits(), shape=INVOICE_SHAPE, setup=setup)
        assert (await rooms.acquire("inv")).frozen == "not a draft"
        with pytest.raises(LoadError):
            await rooms.acquire("broken")
        assert rooms.get("broken") is None
        await rooms.close()


async def test_setup_reads_while_the_document_loads() -> None:
    """The setup's read overlaps the log's: a load that waits for the setup to have started
    would wait forever if they ran one after the other."""
    setup_started = asyncio.Event()

    class WaitingStore(MemoryStore):
        async def load(self, doc_id: str) -> StoredDocument:
            await asyncio.wait_for(setup_started.wait(), 5)
            return await super().load(doc_id)

    async def setup(doc_id: str) -> Callable[[Room], None]:
        setup_started.set()
        await asyncio.sleep(0.01)  # its own read

        def prepare(room: Room) -> None:
            room.frozen = f"set up for {doc_id}"

        return prepare

    store = WaitingStore()
    async with Persister(store) as persister:
        rooms = RoomRegistry(store, persister, Limits(), shape=INVOICE_SHAPE, setup=setup)
        assert (await rooms.acquire("inv")).frozen == "set up for inv"
        await rooms.close()


async def test_hand_over_makes_updates_durable_before_telling_clients_to_go() -> None:
    class SlowStore(MemoryStore):
        async def write(self, entries: Sequence[LogEntry], snapshots: Sequence[Snapshot]) -> None:
            await asyncio.sleep(0.05)  # a slow disk: the clients must not be told before it ends
            await super().write(entries, snapshots)

    store = SlowStore()
    closed_when: list[int] = []  # updates durable at the moment each client was told
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        writer, reader = Connection(room, EDITOR, Limits()), Connection(room, EDITOR, Limits())
        for update in line_updates(5):
            writer.send(encode_update(update))
        await wait_until(lambda: room.seq == 5, what="updates applied")
        for connection in (writer, reader):
            original = connection.channel.close

            async def close(code: int, reason: str, original: Any = original) -> None:
                closed_when.append(len(store.log.get("inv", [])))
                await original(code, reason)

            connection.channel.close = close  # type: ignore[method-assign]
        assert await rooms.hand_over() == 2
        assert (
            writer.channel.closed_with
            == reader.channel.closed_with
            == (
                1001,
                "server shutting down",
            )
        )
        assert closed_when == [5, 5]
        # A client reconnecting to this process now is sent elsewhere.
        with pytest.raises(ShuttingDown):
            await rooms.acquire("inv")
        with pytest.raises(ShuttingDown):
            await rooms.acquire("another")
        rooms.release(room)
