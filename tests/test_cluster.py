"""Two "processes" (two registries) holding one document through an in-memory transport that can
lose messages: what one accepts reaches the other's peers, a lost update or a lost delete is
repaired by the next reconciliation, presence travels and leaves with its process, notices and
freezes reach every process. The Redis transport and real processes: test_processes_sync.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map

from collab.sync import Identity, Limits, MemoryStore, RoomRegistry
from collab.sync.cluster import Cluster
from collab.sync.protocol import (
    AwarenessEntry,
    encode_awareness,
    encode_awareness_update,
    encode_notice,
    encode_update,
)
from collab.sync.state_vectors import decode_state_vector, delete_set_digest
from tests.harness import wait_until
from tests.test_room import Connection, registry
from tests.updates import recorded

ADA = Identity("u-ada", "Ada", can_edit=True)
BOB = Identity("u-bob", "Bob", can_edit=True)


class Link:
    """A broker between two processes; `lose` drops every message while set."""

    def __init__(self) -> None:
        self.handlers: dict[str, dict[str, Callable[[str, bytes], None]]] = {}
        self.lose = False
        self.delivered = 0
        self.subscribing = 0.0  # seconds before a subscription is confirmed

    def end(self, name: str) -> End:
        return End(self, name)


class End:
    def __init__(self, link: Link, name: str) -> None:
        self.link, self.name = link, name

    def publish(self, channel: str, payload: bytes) -> None:
        if self.link.lose:
            return
        for process, handlers in self.link.handlers.items():
            handler = handlers.get(channel)
            if process != self.name and handler is not None:
                self.link.delivered += 1
                asyncio.get_running_loop().call_soon(handler, self.name, payload)

    def subscribe(
        self,
        channel: str,
        handler: Callable[[str, bytes], None],
        ready: Callable[[], None] | None = None,
    ) -> None:
        self.link.handlers.setdefault(self.name, {})[channel] = handler
        if ready is not None:
            asyncio.get_running_loop().call_later(self.link.subscribing, ready)

    def unsubscribe(self, channel: str) -> None:
        self.link.handlers.get(self.name, {}).pop(channel, None)

    @property
    def problem(self) -> str | None:
        return "the link loses everything" if self.link.lose else None


@asynccontextmanager
async def two_processes() -> AsyncIterator[tuple[Link, list[RoomRegistry], list[Cluster]]]:
    link, store = Link(), MemoryStore()
    async with AsyncExitStack() as stack:
        registries, clusters = [], []
        for name in ("p0", "p1"):
            rooms = await stack.enter_async_context(registry(store))
            cluster = Cluster(rooms, link.end(name), reconcile_seconds=3600)
            await stack.enter_async_context(cluster)
            registries.append(rooms)
            clusters.append(cluster)
        yield link, registries, clusters


def editor() -> tuple[Doc[Any], list[bytes]]:
    doc: Doc[Any] = Doc()
    return doc, recorded(doc)


def same(a: Doc[Any], b: Doc[Any]) -> bool:
    return bool(
        a.get("lines", type=Array).to_py() == b.get("lines", type=Array).to_py()
        and a.get("invoice", type=Map).to_py() == b.get("invoice", type=Map).to_py()
    )


async def test_an_accepted_update_reaches_the_other_process_and_its_peers() -> None:
    async with two_processes() as (_link, (r0, r1), _):
        room0, room1 = await r0.acquire("inv"), await r1.acquire("inv")
        ada = Connection(room0, ADA, Limits())
        bob = Connection(room1, BOB, Limits())
        doc, out = editor()
        doc.get("invoice", type=Map)["buyer_reference"] = "from process 0"
        ada.send(encode_update(out[-1]))
        header = room1.doc.get("invoice", type=Map)
        await wait_until(lambda: "buyer_reference" in header, what="process 1 has it")
        assert header["buyer_reference"] == "from process 0"
        assert same(room0.doc, room1.doc)
        # Bob's client on process 1 got the update itself.
        await wait_until(lambda: out[-1] in bob.updates(), what="bob got it")
        # Logged once, by the process that accepted it: process 1 only applied it.
        await r0.persister.flush()
        await r1.persister.flush()
        store = r0._store
        assert isinstance(store, MemoryStore)
        assert [e.data for e in store.log["inv"]] == [out[-1]]
        for connection in (ada, bob):
            connection.channel.hang_up()


async def test_a_lost_update_is_repaired_by_the_next_reconciliation() -> None:
    async with two_processes() as (link, (r0, r1), (_c0, c1)):
        room0, room1 = await r0.acquire("inv"), await r1.acquire("inv")
        ada = Connection(room0, ADA, Limits())
        doc, out = editor()
        link.lose = True
        doc.get("lines", type=Array).append(Map({"id": "l1", "quantity": "3"}))
        ada.send(encode_update(out[-1]))
        await wait_until(lambda: len(room0.doc.get("lines", type=Array)) == 1, what="applied")
        await asyncio.sleep(0.05)
        assert len(room1.doc.get("lines", type=Array)) == 0  # lost on the way
        link.lose = False
        c1.reconcile()  # process 1 says what it has; process 0 answers with what it lacks
        await wait_until(lambda: same(room0.doc, room1.doc), what="repaired")
        ada.channel.hang_up()


async def test_a_lost_delete_is_repaired_though_state_vectors_are_equal() -> None:
    # Deleting adds no item, so state vectors cannot see it: the delete-set digest does.
    async with two_processes() as (link, (r0, r1), (_c0, c1)):
        room0, room1 = await r0.acquire("inv"), await r1.acquire("inv")
        ada = Connection(room0, ADA, Limits())
        doc, out = editor()
        lines = doc.get("lines", type=Array)
        lines.append(Map({"id": "l1", "quantity": "3"}))
        ada.send(encode_update(out[-1]))
        await wait_until(
            lambda: same(room0.doc, room1.doc) and len(room1.doc.get("lines", type=Array)) == 1,
            what="both have l1",
        )
        link.lose = True
        del lines[0]
        ada.send(encode_update(out[-1]))
        await wait_until(lambda: len(room0.doc.get("lines", type=Array)) == 0, what="deleted")
        await asyncio.sleep(0.05)
        assert len(room1.doc.get("lines", type=Array)) == 1
        assert room0.doc.get_state() == room1.doc.get_state()
        link.lose = False
        c1.reconcile()
        await wait_until(lambda: len(room1.doc.get("lines", type=Array)) == 0, what="repaired")
        ada.channel.hang_up()


async def test_presence_travels_and_leaves_with_its_process() -> None:
    async with two_processes() as (_link, (r0, r1), (_c0, c1)):
        room0, room1 = await r0.acquire("inv"), await r1.acquire("inv")
        ada = Connection(room0, ADA, Limits())
        bob = Connection(room1, BOB, Limits())
        entry = AwarenessEntry(7, 1, '{"cursor":1}')
        ada.send(encode_awareness(encode_awareness_update([entry])))
        await wait_until(lambda: len(room1.awareness) == 1, what="ada present on process 1")
        assert [u["id"] for u in room1.present_users()] == ["u-ada"]  # stamped by process 0
        # Bob cannot take over or remove Ada's entry by echoing it.
        removal = AwarenessEntry(7, 2, "null")
        bob.send(encode_awareness(encode_awareness_update([removal])))
        await asyncio.sleep(0.05)
        assert len(room1.awareness) == 1
        c1.process_gone("p0")
        assert len(room1.awareness) == 0
        await wait_until(
            lambda: any(b"null" in frame for frame in bob.channel.sent), what="bob told"
        )
        for connection in (ada, bob):
            connection.channel.hang_up()


async def test_what_was_set_before_the_other_process_was_heard_still_reaches_it() -> None:
    async with two_processes() as (link, (r0, r1), _):
        room0 = await r0.acquire("inv")
        ada = Connection(room0, ADA, Limits())
        ada.send(encode_awareness(encode_awareness_update([AwarenessEntry(7, 1, '{"a":1}')])))
        link.subscribing = 0.1  # as a Redis round trip
        await wait_until(lambda: len(room0.awareness) == 1, what="ada present on process 0")
        # Bob's presence reaches process 1 before process 1 has heard anything from process 0,
        # so it is not published then: it must be sent once process 0 is heard.
        room1 = await r1.acquire("inv")
        bob = Connection(room1, BOB, Limits())
        bob.send(encode_awareness(encode_awareness_update([AwarenessEntry(8, 1, '{"b":1}')])))
        doc, out = editor()
        doc.get("invoice", type=Map)["buyer_reference"] = "early"
        bob.send(encode_update(out[-1]))
        await wait_until(lambda: len(room1.awareness) == 2, what="both present on process 1")
        await wait_until(lambda: len(room0.awareness) == 2, what="both present on process 0")
        # So is Bob's edit, without waiting for the periodic reconciliation (an hour here).
        await wait_until(lambda: same(room0.doc, room1.doc), what="bob's edit on process 0")
        assert room0.doc.get("invoice", type=Map)["buyer_reference"] == "early"
        for connection in (ada, bob):
            connection.channel.hang_up()


async def test_notices_and_freezes_reach_the_rooms_of_every_process() -> None:
    async with two_processes() as (_link, (r0, r1), _):
        room1 = await r1.acquire("inv")
        await r0.acquire("inv")
        bob = Connection(room1, BOB, Limits())
        await wait_until(lambda: len(room1.peers) == 1, what="bob joined")
        r0.announce("inv", {"type": "comment", "event": "created"})
        r0.freeze("inv", "the invoice is issued: only drafts can be edited")
        notice = encode_notice({"type": "comment", "event": "created"})
        await wait_until(lambda: notice in bob.channel.sent, what="notice relayed")
        await wait_until(lambda: room1.frozen is not None, what="frozen")
        bob.channel.hang_up()


async def test_what_a_lost_message_may_have_missed_is_read_again() -> None:
    """The server re-reads what the rooms hold outside the document (e.g. an invoice's state):
    once a room's channel is live (a transition made elsewhere while it loaded was not heard),
    and for every room at a reconnection or a periodic pass, even with every message lost."""
    async with two_processes() as (link, (r0, _), (c0, _)):
        asked: list[list[str]] = []
        c0.on_recheck.append(lambda rooms: asked.append([room.doc_id for room in rooms]))
        link.subscribing = 0.05
        await r0.acquire("a")
        assert asked == []  # not before Redis confirms the subscription
        await wait_until(lambda: asked == [["a"]], what="a recheck once the channel is live")
        await r0.acquire("b")
        await wait_until(lambda: asked[-1] == ["b"], what="b's")
        link.lose = True
        c0.reconcile(arrived=False)
        assert sorted(asked[-1]) == ["a", "b"]


def test_state_vectors_and_delete_sets_decode_as_yjs_encodes_them() -> None:
    # Hand-encoded: 2 clients; client 5 has 3 items, client 300 (0xAC 0x02) has 1.
    assert decode_state_vector(bytes([2, 5, 3, 0xAC, 0x02, 1])) == {5: 3, 300: 1}
    # No structs; a delete set of two clients, written in either order: the same digest.
    first = bytes([0, 2, 5, 1, 0, 2, 9, 2, 4, 1, 1, 1])
    second = bytes([0, 2, 9, 2, 1, 1, 4, 1, 5, 1, 0, 2])
    assert delete_set_digest(first) == delete_set_digest(second)
    assert delete_set_digest(first) != delete_set_digest(bytes([0, 1, 5, 1, 0, 2]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.binary(max_size=200), kind=st.integers(min_value=0, max_value=9))
async def test_whatever_another_process_sends_never_breaks_a_room(
    payload: bytes, kind: int
) -> None:
    # Processes trust each other, but a bug or a version skew must cost one message, not a room.
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        transport = Link().end("p0")
        cluster = Cluster(rooms, transport)
        cluster.attach(room)
        handler = transport.link.handlers["p0"]["doc:inv"]
        handler("p1", bytes([kind]) + payload)
        room.doc.get("invoice", type=Map)["buyer_reference"] = "still works"
        assert room.doc.get("invoice", type=Map)["buyer_reference"] == "still works"
        cluster.detach(room)
