"""The live board across processes (issue 15): a board socket on one process follows the
changes and the presence made on another, over the test's own Redis and one PostgreSQL.

First the two relays alone over an in-memory bus (what crosses, what never bounces back, what
is dropped), then two real server processes end to end: a submit through process 0 moves the
card on process 1's board, a user in an invoice on process 0 shows on it and leaves it, and a
killed process's users leave it once the bus declares that process gone.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from collab.sync.protocol import AwarenessEntry, encode_awareness, encode_awareness_update
from server.board.relay import MAX_USERS, RemotePresence
from server.board.schemas import CardFrame, SnapshotFrame
from server.core import changes
from server.core.bus import Bus
from tests.access_helpers import edit
from tests.harness import wait_for, wait_until
from tests.processes import Processes, redis_server, several_processes
from tests.test_workflow_api import _valid_update

# -- the relays over an in-memory bus -------------------------------------------------------


class MemoryBus:
    """What the relays use of `Bus`; published messages wait in `sent` until delivered."""

    def __init__(self, process_id: str) -> None:
        self.process_id = process_id
        self.handlers: dict[str, Callable[[str, bytes], None]] = {}
        self.sent: list[tuple[str, bytes]] = []
        self.on_connected: list[Callable[[], None]] = []
        self.on_process_gone: list[Callable[[str], None]] = []
        self.on_process_seen: list[Callable[[str], None]] = []

    def subscribe(self, channel: str, handler: Callable[[str, bytes], None]) -> None:
        self.handlers[channel] = handler

    def unsubscribe(self, channel: str) -> None:
        self.handlers.pop(channel, None)

    def publish(self, channel: str, payload: bytes) -> None:
        self.sent.append((channel, payload))

    def deliver(self, to: MemoryBus) -> int:
        sent, self.sent = self.sent, []
        for channel, payload in sent:
            to.handlers[channel](self.process_id, payload)
        return len(sent)


class FakeRoom:
    def __init__(self, doc_id: str, *names: str) -> None:
        self.doc_id = doc_id
        self.users = [{"id": f"u-{n}", "name": n, "color": "#123456"} for n in names]

    def present_users(self) -> list[dict[str, str]]:
        return self.users


class FakeRegistry:
    def __init__(self, *rooms: FakeRoom) -> None:
        self.rooms = list(rooms)


async def _turn() -> None:
    """Let the relays' end-of-turn batches go out."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_changes_cross_once_batched_and_never_bounce_back() -> None:
    a, b = MemoryBus("a" * 12), MemoryBus("b" * 12)
    heard: list[tuple[str | None, str]] = []
    changes.register("test-board", lambda org, invoice: heard.append((org, invoice)))
    changes.register("test-relay", changes.Relay(cast(Bus, a)), relay=True)
    try:
        changes.invoice_changed("org", "inv-1")
        changes.invoice_changed(None, "inv-2")
        changes.invoice_changed(None, "inv-1")  # the organization, once known, is kept
        await _turn()
        assert [json.loads(p) for _, p in a.sent] == [[["org", "inv-1"], [None, "inv-2"]]]
        heard.clear()
        # What another process relays reaches the board, and never this process's relay.
        relayed = json.dumps([["org", "inv-3"], ["org", 3], "junk"]).encode()
        a.sent.clear()
        a.handlers[changes.CHANNEL]("b" * 12, relayed)
        a.handlers[changes.CHANNEL]("b" * 12, b"not json")  # logged and dropped
        await _turn()
        assert heard == [("org", "inv-3")]
        assert a.sent == []
        assert b.sent == []
    finally:
        changes.register("test-board", None)
        changes.register("test-relay", None)


async def test_remote_presence_merges_repairs_and_forgets_a_gone_process() -> None:
    a, b = MemoryBus("a" * 12), MemoryBus("b" * 12)
    room = FakeRoom("inv-1", "bob")
    marked: list[str] = []  # the cards b's board reads again
    here = RemotePresence(cast(Bus, a), cast(Any, FakeRegistry(room)), changed=lambda _o, _i: None)
    there = RemotePresence(
        cast(Bus, b), cast(Any, FakeRegistry()), changed=lambda _o, i: marked.append(i)
    )
    here.room_changed(cast(Any, room))
    await _turn()
    assert a.deliver(b) == 1
    assert there.users(None) == {"inv-1": [{"id": "u-bob", "name": "bob", "color": "#123456"}]}
    assert marked == ["inv-1"]
    assert there.users(["inv-2"]) == {}

    # A message lost while bob left: the repair ("full") on reconnection replaces it all, and
    # asks b for its own summaries.
    room.users = []
    for listener in a.on_connected:
        listener()
    await wait_until(lambda: a.sent, what="a's repair")
    assert a.deliver(b) == 1
    assert there.users(None) == {}
    assert marked == ["inv-1", "inv-1"]
    await wait_until(lambda: b.sent, what="b's answer")
    assert b.deliver(a) == 1  # b answered the ask (with nothing: a full, empty summary)

    # Too many users, a wrong type, not JSON: dropped whole, never raised into the bus.
    handler = b.handlers["board.presence"]
    many = [{"id": f"u{n}", "name": "", "color": ""} for n in range(MAX_USERS + 1)]
    for bad in (
        {"invoices": [{"id": "inv-9", "org": None, "users": many}]},
        {"invoices": [{"id": "inv-9", "org": None, "users": [{"id": 7}]}]},
        {"invoices": "inv-9"},
    ):
        handler("a" * 12, json.dumps(bad).encode())
    handler("a" * 12, b"\xff")
    assert there.users(None) == {}

    room.users = FakeRoom("inv-1", "bob", "carol").users
    here.room_changed(cast(Any, room))
    await _turn()
    a.deliver(b)
    assert [u["name"] for u in there.users(None)["inv-1"]] == ["bob", "carol"]
    marked.clear()
    for gone in b.on_process_gone:
        gone(a.process_id)
    assert there.users(None) == {}
    assert marked == ["inv-1"]
    here.close()
    there.close()
    assert a.handlers == {} and b.on_process_gone == []


# -- two server processes end to end ---------------------------------------------------------


@pytest.fixture
async def processes(tmp_path: Path) -> AsyncIterator[Processes]:
    async with (
        redis_server(tmp_path / "redis") as redis,
        several_processes(tmp_path, 2, redis=redis) as found,
    ):

        async def both_connected() -> bool:
            for server in found.servers:
                async with httpx.AsyncClient(timeout=30.0) as client:
                    health = (await client.get(f"{server.http}/api/health")).json()
                if health["processes"] != 1:
                    return False
            return True

        # Each hears the other's hello: both are subscribed, so nothing sent from now is lost.
        await wait_for(both_connected, timeout=10, what="the processes hearing each other")
        yield found


def _board_url(processes: Processes, server: int, who: str) -> str:
    port = processes.servers[server].port
    return f"ws://127.0.0.1:{port}/ws/board/{processes.org_id}?token={processes.bearers[who]}"


async def _snapshot(board: ClientConnection) -> SnapshotFrame:
    return SnapshotFrame.model_validate_json(await asyncio.wait_for(board.recv(), 5))


async def _card_until(
    board: ClientConnection,
    invoice_id: str,
    check: Callable[[dict[str, Any]], bool],
    timeout: float,
) -> dict[str, Any]:
    """Read the board's frames until the card of `invoice_id` satisfies `check`."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(board.recv(), left))
        except TimeoutError:
            break
        assert frame["type"] in ("card", "remove"), frame  # deltas only after the snapshot
        if frame["type"] == "card" and frame["card"]["id"] == invoice_id:
            last = CardFrame.model_validate(frame).card.model_dump()
            if check(last):
                return last
    raise AssertionError(f"no card of {invoice_id} as expected within {timeout} s; last: {last}")


def _names(card: dict[str, Any]) -> list[str]:
    return [p["name"] for p in card["present"]]


@asynccontextmanager
async def _in_invoice(
    processes: Processes, server: int, invoice_id: str, who: str
) -> AsyncIterator[ClientConnection]:
    """A raw invoice socket whose presence state (the server stamps the user) makes `who`
    present in the invoice until it closes."""
    async with connect(processes.ws_url(server, invoice_id, who)) as ws:
        state = json.dumps({"tab": who})
        await ws.send(encode_awareness(encode_awareness_update([AwarenessEntry(7, 1, state)])))
        yield ws


async def test_an_edit_and_a_submit_through_one_process_move_the_card_on_the_others_board(
    processes: Processes,
) -> None:
    invoice_id = await processes.new_invoice(_valid_update())
    async with connect(_board_url(processes, 1, "adam")) as board:
        snapshot = await _snapshot(board)
        assert [(c.id, c.status, c.due_date) for c in snapshot.cards] == [
            (invoice_id, "draft", None)  # derived from the document when a room loads it
        ]
        # An edit in the invoice's room on process 0: its derived columns (debounced) change.
        async with connect(processes.ws_url(0, invoice_id, "alice")) as ws:
            await edit(ws, "due_date", "2027-01-31")
            card = await _card_until(board, invoice_id, lambda c: c["due_date"] is not None, 5)
        assert card["due_date"] == "2027-01-31" and card["gross"] == "162.00"
        async with processes.api(0, "alice") as http:
            r = await http.post(
                f"/api/invoices/{invoice_id}/transitions", json={"action": "submit"}
            )
            assert r.status_code == 200, r.text
        card = await _card_until(board, invoice_id, lambda c: c["status"] == "submitted", 5)
        assert card["stage"] == "submitted" and card["customer"] == "Client SA"


async def test_who_is_in_an_invoice_on_one_process_shows_on_the_others_board(
    processes: Processes,
) -> None:
    invoice_id = await processes.new_invoice(_valid_update())
    async with connect(_board_url(processes, 1, "adam")) as board:
        assert [c.present for c in (await _snapshot(board)).cards] == [[]]
        async with _in_invoice(processes, 0, invoice_id, "bob"):
            card = await _card_until(board, invoice_id, lambda c: c["present"] != [], 5)
            assert _names(card) == ["bob"]
            assert card["present"][0]["user_id"] == processes.accounts["bob"].user_id
            assert card["present"][0]["colour"].startswith("#")
            # The same on a board opened afterwards (its snapshot) and over HTTP, on process 1.
            async with connect(_board_url(processes, 1, "abe")) as late:
                assert [_names(c.model_dump()) for c in (await _snapshot(late)).cards] == [["bob"]]
            async with processes.api(1, "adam") as http:
                r = await http.get("/api/board")
                assert r.status_code == 200, r.text
                assert [_names(c) for c in r.json()["cards"]] == [["bob"]]
            # Alice on process 1 too: both show, each once.
            async with _in_invoice(processes, 1, invoice_id, "alice"):
                card = await _card_until(board, invoice_id, lambda c: len(c["present"]) == 2, 5)
                assert sorted(_names(card)) == ["alice", "bob"]
            await _card_until(board, invoice_id, lambda c: _names(c) == ["bob"], 5)
        await _card_until(board, invoice_id, lambda c: c["present"] == [], 5)


async def test_a_killed_process_s_users_leave_the_others_board_once_it_is_gone(
    processes: Processes,
) -> None:
    invoice_id = await processes.new_invoice(_valid_update())
    async with connect(_board_url(processes, 1, "adam")) as board:
        await _snapshot(board)
        async with _in_invoice(processes, 0, invoice_id, "bob"):
            await _card_until(board, invoice_id, lambda c: _names(c) == ["bob"], 5)
            killed = time.monotonic()
            await processes.servers[0].stop(signal.SIGKILL)
        # Nobody told process 1: it forgets bob when the bus declares process 0 gone (silent
        # for 5 s, checked every second), then reads the card again.
        await _card_until(board, invoice_id, lambda c: c["present"] == [], 10)
        # Not at once: only the silence tells (the last hello may be up to a second, or a busy
        # machine's more, before the kill).
        assert time.monotonic() - killed > 2
