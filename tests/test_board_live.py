"""The live board end to end: a real server, real board sockets, a real Yjs client opening the
invoice. A card moves when another user submits, the avatars follow the invoice's presence,
one change is one card's frame, another organization hears nothing, a sign-out closes it."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.auth.permissions import Role
from server.board.schemas import CardFrame, SnapshotFrame
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import YjsClients, seed
from tests.test_workflow_api import _valid_invoice


def _board_url(running: Running, org_id: str, bearer: str) -> str:
    return f"ws://127.0.0.1:{running.server.port}/ws/board/{org_id}?token={bearer}"


async def _frame(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    assert frame["type"] in ("card", "remove"), frame  # never a whole board after the snapshot
    if frame["type"] == "card":
        CardFrame.model_validate(frame)
    return frame


async def _card_until(ws: ClientConnection, invoice_id: str, check: Any) -> dict[str, Any]:
    """Read frames until the card of `invoice_id` satisfies `check`."""
    deadline = time.monotonic() + 5.0
    while True:
        frame = await _frame(ws, max(0.01, deadline - time.monotonic()))
        if frame["type"] == "card" and frame["card"]["id"] == invoice_id and check(frame["card"]):
            return dict(frame["card"])


async def _quiet(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every frame that arrives within `seconds`."""
    frames = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frames.append(await _frame(ws, left))
        except TimeoutError:
            break
    return frames


async def test_cards_move_avatars_follow_and_other_tenants_hear_nothing(
    running: Running, yjs: YjsClients
) -> None:
    alice = running.accounts["alice"]
    invoice_id = await _valid_invoice(running, alice)
    globex = await seed(running.server.data_dir, org="Globex", users={"gus": Role.ADMIN})
    gus = await token(running.server, globex["gus"])
    vera = await token(running.server, running.accounts["vera"])
    with pytest.raises(InvalidStatus) as refused:  # another tenant's board: as if unknown
        async with connect(_board_url(running, alice.org_id, gus)):
            pass
    assert refused.value.response.status_code == 404
    with pytest.raises(InvalidStatus) as refused:
        async with connect(_board_url(running, alice.org_id, "forged")):
            pass
    assert refused.value.response.status_code == 401

    async with (
        connect(_board_url(running, alice.org_id, vera)) as watcher,
        connect(_board_url(running, globex["gus"].org_id, gus)) as stranger,
    ):
        snapshot = SnapshotFrame.model_validate_json(await asyncio.wait_for(watcher.recv(), 5))
        assert [(c.id, c.stage, c.present) for c in snapshot.cards] == [(invoice_id, "draft", [])]
        assert SnapshotFrame.model_validate_json(await stranger.recv()).cards == []

        # Bob opens the invoice: his avatar appears on the card, then leaves with him.
        bob = await token(running.server, running.accounts["bob"])
        await yjs.call("open", name="b", url=running.server.ws, room=invoice_id, token=bob, tab="b")
        card = await _card_until(watcher, invoice_id, lambda c: c["present"])
        assert [p["name"] for p in card["present"]] == ["bob"]
        assert card["present"][0]["user_id"] == running.accounts["bob"].user_id
        assert card["present"][0]["colour"].startswith("#")
        # The room's load derives the customer and totals from the document (debounced).
        await _card_until(watcher, invoice_id, lambda c: c["customer"] == "Client SA")
        await yjs.call("destroy", name="b")
        card = await _card_until(watcher, invoice_id, lambda c: not c["present"])
        assert card["gross"] == "162.00" and card["due_date"] == "2026-12-27"
        await _quiet(watcher, 0.8)  # let the room's own deltas pass

        # Alice submits: the card moves, in one frame, well within 200 ms of the commit.
        async with api(running.server, await token(running.server, alice)) as http:
            r = await http.post(
                f"/api/invoices/{invoice_id}/transitions", json={"action": "submit"}
            )
            committed = time.monotonic()
        assert r.status_code == 200, r.text
        moved = await _frame(watcher, 2.0)
        latency = time.monotonic() - committed
        assert moved["card"]["id"] == invoice_id and moved["card"]["stage"] == "submitted"
        assert latency < 0.2, f"the card moved {latency * 1000:.0f} ms after the submit"
        assert await _quiet(watcher, 0.4) == []  # one change, one card's frame
        assert await _quiet(stranger, 0.1) == []  # Globex heard nothing of Acme

        # Signing out closes the board socket, as it closes invoice sockets.
        async with api(running.server, vera) as http:
            assert (await http.post("/api/auth/logout")).status_code in (200, 204)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(watcher.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_new_weights_send_open_boards_to_a_fresh_snapshot(running: Running) -> None:
    alice = running.accounts["alice"]
    invoice_id = await _valid_invoice(running, alice)
    running.accounts.update(await seed(running.server.data_dir, users={"adam": Role.ADMIN}))
    admin = await token(running.server, running.accounts["adam"])
    url = _board_url(running, alice.org_id, await token(running.server, alice))
    async with connect(url) as watcher:
        before = SnapshotFrame.model_validate_json(await asyncio.wait_for(watcher.recv(), 5))
        assert [c.id for c in before.cards] == [invoice_id]
        async with api(running.server, admin) as http:
            weights = {"amount": 0, "due": 0, "customer": 100}
            r = await http.put(f"/api/orgs/{alice.org_id}/priority-weights", json=weights)
            assert r.status_code == 200, r.text
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # a delta may come first (the room's derived columns)
                await _frame(watcher)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    async with connect(url) as watcher:
        after = SnapshotFrame.model_validate_json(await asyncio.wait_for(watcher.recv(), 5))
        assert [c.priority.score for c in after.cards] == [0]  # only the customer counts now
