"""Rooms through in-memory channels (no sockets): fan-out, refused and bad updates, slow and
idle peers, rights changes. The helpers here serve test_registry and test_locks too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import (
    CloseCode,
    Identity,
    Limits,
    MemoryStore,
    Persister,
    Room,
    RoomRegistry,
    serve_peer,
)
from collab.sync.protocol import (
    AuthMessage,
    NoticeMessage,
    SyncMessage,
    SyncType,
    decode_message,
    encode_sync_step1,
    encode_update,
)
from tests.harness import wait_until
from tests.memory_channel import MemoryChannel
from tests.updates import recorded

EDITOR = Identity("u-editor", "Editor", can_edit=True)
VIEWER = Identity("u-viewer", "Viewer", can_edit=False)


def line_updates(count: int) -> list[bytes]:
    """`count` real Yjs updates, each adding the line `l<i>` to the root array `lines`."""
    doc: Doc[Any] = Doc()
    out = recorded(doc)
    lines = doc.get("lines", type=Array)
    for i in range(count):
        lines.append(Map({"id": f"l{i}", "quantity": str(i)}))
    return out


def content(doc: Doc[Any]) -> list[str]:
    """The ids of the document's lines, in order."""
    return [line["id"] for line in doc.get("lines", type=Array).to_py() or []]


@asynccontextmanager
async def registry(store: Any, **limits: Any) -> AsyncIterator[RoomRegistry]:
    async with (
        Persister(store) as persister,
        RoomRegistry(store, persister, Limits(**limits), shape=INVOICE_SHAPE) as rooms,
    ):
        yield rooms


class Connection:
    """A client connected to a room through a memory channel, served by serve_peer."""

    def __init__(self, room: Room, identity: Identity, limits: Limits, **channel: Any) -> None:
        self.channel = MemoryChannel(**channel)
        self.task = asyncio.create_task(serve_peer(room, self.channel, identity, limits))

    def send(self, frame: bytes) -> None:
        self.channel.to_server.put_nowait(frame)

    def messages(self) -> list[Any]:
        return [decode_message(frame) for frame in self.channel.sent]

    def updates(self) -> list[bytes]:
        return [
            m.payload
            for m in self.messages()
            if isinstance(m, SyncMessage) and m.kind is not SyncType.STEP1
        ]

    async def close(self) -> None:
        self.channel.hang_up()
        await self.task


async def joined(room: Room, count: int) -> None:
    await wait_until(lambda: len(room.peers) == count, what=f"{count} peers")


async def test_updates_fan_out_to_others_and_are_logged_with_their_author() -> None:
    store = MemoryStore()
    limits = Limits()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        a, b = Connection(room, EDITOR, limits), Connection(room, EDITOR, limits)
        await joined(room, 2)
        update = line_updates(1)[0]
        a.send(encode_update(update))
        await wait_until(lambda: b.updates(), what="fan-out")
        assert b.updates() == [update]
        assert a.updates() == []  # the sender does not get its own update back
        await a.close()
        await b.close()
    assert [(e.seq, e.data, e.user_id) for e in store.log["inv"]] == [(1, update, "u-editor")]


async def test_a_viewer_update_is_refused_and_never_stored_nor_sent() -> None:
    store = MemoryStore()
    limits = Limits()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        viewer, other = Connection(room, VIEWER, limits), Connection(room, EDITOR, limits)
        await joined(room, 2)
        viewer.send(encode_update(line_updates(1)[0]))
        await wait_until(
            lambda: any(isinstance(m, AuthMessage) for m in viewer.messages()),
            what="permission denied",
        )
        assert content(room.doc) == [] and other.updates() == []
        await viewer.close()
        await other.close()
    assert store.log == {}


async def test_a_stalled_client_is_disconnected_without_holding_back_the_others() -> None:
    store = MemoryStore()
    limits = Limits(send_queue_frames=20)
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        stalled = Connection(room, EDITOR, limits, stalled=True)
        writer, reader = Connection(room, EDITOR, limits), Connection(room, EDITOR, limits)
        await joined(room, 3)
        updates = line_updates(50)
        for update in updates:
            writer.send(encode_update(update))
        await wait_until(lambda: len(reader.updates()) == 50, what="all 50")
        stalled.channel.unstall()
        await stalled.task
        assert stalled.channel.closed_with is not None
        assert stalled.channel.closed_with[0] == CloseCode.TRY_AGAIN_LATER
        assert writer.channel.closed_with is None and reader.channel.closed_with is None
        await writer.close()
        await reader.close()
    assert len(store.log["inv"]) == 50


async def test_an_idle_connection_is_closed() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        idle = Connection(room, EDITOR, Limits(idle_timeout_seconds=0.05))
        peer = await asyncio.wait_for(idle.task, 2)
        assert peer.close_code == CloseCode.IDLE_TIMEOUT
        assert room.peers == set()


@pytest.mark.parametrize("frame", [b"\x00\x01\x03abc", encode_sync_step1(b"\xff")])
async def test_a_bad_frame_closes_that_peer_only(frame: bytes) -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        bad, good = Connection(room, EDITOR, Limits()), Connection(room, EDITOR, Limits())
        await joined(room, 2)
        bad.send(frame)
        peer = await asyncio.wait_for(bad.task, 2)
        assert peer.close_code in (CloseCode.PROTOCOL_ERROR, CloseCode.INVALID_DATA)
        assert len(room.peers) == 1 and good.channel.closed_with is None
        update = line_updates(1)[0]
        good.send(encode_update(update))
        await wait_until(lambda: room.seq == 1, what="good peer still served")
        await good.close()


async def test_rights_change_and_disconnect_apply_to_open_connections() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        alice = Connection(room, EDITOR, Limits())
        other = Connection(room, Identity("u-2", "Other", can_edit=True, session_id="s2"), Limits())
        await joined(room, 2)
        room.set_rights("u-editor", can_edit=False)  # alice was demoted while connected
        alice.send(encode_update(line_updates(1)[0]))
        await wait_until(
            lambda: any(isinstance(m, AuthMessage) for m in alice.messages()), what="denied"
        )
        assert room.seq == 0
        assert room.disconnect(lambda who: who.session_id == "s2", CloseCode.POLICY_VIOLATION, "x")
        peer = await asyncio.wait_for(other.task, 2)
        assert peer.close_code == CloseCode.POLICY_VIOLATION
        assert alice.channel.closed_with is None
        await alice.close()


def _header_update(base: Doc[Any], key: str, value: Any) -> bytes:
    """An update from a client holding `base`, setting `invoice.<key>`."""
    client: Doc[Any] = Doc()
    client.apply_update(base.get_update())
    captured: list[bytes] = []
    client.observe(lambda event: captured.append(event.update))
    client.get("invoice", type=Map)[key] = value
    return captured[0]


async def test_a_refused_update_is_compensated_for_everyone_and_logged_without_its_content() -> (
    None
):
    store = MemoryStore()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        changed: list[str] = []
        room.listeners.append(lambda r: changed.append(r.doc_id))
        room.policies.append(
            lambda who, inspection: (
                "due date is locked by Bob" if "invoice.due_date" in inspection.paths() else None
            )
        )
        sender, other = Connection(room, EDITOR, Limits()), Connection(room, EDITOR, Limits())
        await joined(room, 2)
        sender.send(encode_update(_header_update(room.doc, "due_date", "SECRET-999")))
        await wait_until(lambda: other.updates() and sender.updates(), what="compensation")
        notices = [m for m in sender.messages() if isinstance(m, NoticeMessage)]
        assert notices[0].body == {
            "type": "update_refused",
            "reason": "due date is locked by Bob",
            "paths": ["invoice.due_date"],
            "resync": False,
        }
        assert other.updates() == sender.updates()  # the same compensation for both
        assert b"SECRET" not in other.updates()[0]
        assert room.doc.get("invoice", type=Map).to_py() == {}
        assert changed == []  # nothing changed, nothing to recompute
        sender.send(encode_update(_header_update(room.doc, "currency", "EUR")))
        await wait_until(lambda: changed == ["inv"], what="an accepted change")
        await sender.close()
        await other.close()
    assert [e.user_id for e in store.log["inv"]] == [None, "u-editor"]
    assert all(b"SECRET" not in e.data for e in store.log["inv"])


async def test_a_frozen_room_refuses_every_edit() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        room.frozen = "only drafts can be edited"
        sender = Connection(room, EDITOR, Limits())
        await joined(room, 1)
        sender.send(encode_update(_header_update(room.doc, "currency", "EUR")))
        await wait_until(
            lambda: any(isinstance(m, NoticeMessage) for m in sender.messages()), what="notice"
        )
        assert room.doc.get("invoice", type=Map).to_py() == {}
        await sender.close()


async def test_structural_damage_closes_the_sender_for_a_fresh_resync() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        bad, other = Connection(room, EDITOR, Limits()), Connection(room, EDITOR, Limits())
        await joined(room, 2)
        client: Doc[Any] = Doc()
        captured: list[bytes] = []
        client.observe(lambda event: captured.append(event.update))
        client.get("evil", type=Map)["x"] = "1"
        bad.send(encode_update(captured[0]))
        peer = await asyncio.wait_for(bad.task, 2)
        assert peer.close_code == CloseCode.RESYNC_REQUIRED
        notice = next(m for m in bad.messages() if isinstance(m, NoticeMessage))
        assert notice.body["resync"] is True
        assert other.updates() == [] and room.seq == 0
        assert "evil" not in set(room.doc.keys())
        await other.close()
