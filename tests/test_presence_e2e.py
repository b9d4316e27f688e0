"""Presence (Yjs awareness) with stock clients: joiner snapshots, removal on close, one copy."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import connect

from collab.sync.protocol import AwarenessMessage, decode_awareness, decode_message
from tests.conftest import Running
from tests.harness import YjsClients, new_invoice, wait_for


async def _open(
    running: Running, yjs: YjsClients, name: str, invoice_id: str, who: str = "alice"
) -> int:
    token = await running.server.login(running.accounts[who])
    opened = await yjs.call(
        "open", name=name, url=running.server.ws, room=invoice_id, token=token, tab=name
    )
    return int(opened["clientId"])


async def _names_seen_by(yjs: YjsClients, name: str) -> set[str]:
    """The tabs `name` sees present (each client announces its tab name in its state)."""
    states: dict[str, Any] = (await yjs.call("awareness", name=name))["states"]
    return {s["tab"] for s in states.values() if s and "tab" in s}


async def test_joiner_sees_everyone_at_once_and_closed_tabs_disappear(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    for name in ("a", "b", "c"):
        await _open(running, yjs, name, invoice_id)

    async def everyone_sees_everyone() -> bool:
        for name in ("a", "b", "c"):
            assert await _names_seen_by(yjs, name) == {"a", "b", "c"}, name
        return True

    await wait_for(everyone_sees_everyone, timeout=1.0, what="presence of all three")

    await yjs.call("destroy", name="b")  # a closed tab: the client sends its removal itself
    await yjs.call("kill", name="c")  # a crashed tab: nothing is sent, the TCP connection drops

    async def only_a_left() -> bool:
        assert await _names_seen_by(yjs, "a") == {"a"}
        return True

    await wait_for(only_a_left, timeout=1.0, what="closed and crashed tabs to disappear")


async def test_reconnecting_client_reappears_at_once(running: Running, yjs: YjsClients) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", invoice_id)
    await _open(running, yjs, "b", invoice_id)

    async def b_sees(expected: set[str]) -> bool:
        assert await _names_seen_by(yjs, "b") == expected
        return True

    await wait_for(lambda: b_sees({"a", "b"}), timeout=1.0, what="a visible to b")
    await yjs.call("kill", name="a")
    await wait_for(lambda: b_sees({"b"}), timeout=1.0, what="a gone for b")
    # a comes back with the awareness clock the server already retired: the server tells it
    # so and the stock client re-announces itself, without waiting for its 15 s renewal.
    await yjs.call("connect", name="a")
    await wait_for(lambda: b_sees({"a", "b"}), timeout=1.0, what="a back for b")


async def test_each_presence_change_reaches_each_client_once(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    for name in ("a", "b", "c", "d"):
        await _open(running, yjs, name, invoice_id)
    token = await running.server.login(running.accounts["bob"])
    async with connect(f"{running.server.ws}/{invoice_id}?token={token}") as observer:

        async def all_present() -> bool:
            assert await _names_seen_by(yjs, "d") == {"a", "b", "c", "d"}
            return True

        await wait_for(all_present, what="four clients present")
        a_id = int((await yjs.call("awareness", name="a"))["self"])
        await yjs.call("setAwareness", name="a", field="cursor", value="lines.l1.quantity")
        # The stock clients re-send every change they receive; the server must forward the
        # change once. Count what the observer gets in a quiet window after the change.
        copies = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.5
        while (remaining := deadline - loop.time()) > 0:
            try:
                frame = await asyncio.wait_for(observer.recv(), remaining)
            except TimeoutError:
                break
            message = decode_message(frame if isinstance(frame, bytes) else frame.encode())
            if isinstance(message, AwarenessMessage):
                for entry in decode_awareness(message.payload, max_entries=64):
                    if entry.client_id == a_id and "cursor" in entry.state:
                        copies += 1
        assert copies == 1


async def test_clients_joining_a_cold_room_at_once_all_sync(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    names = [f"c{i}" for i in range(20)]
    for name in names:  # back to back, so they race for the room's first load
        await _open(running, yjs, name, invoice_id)
    for name in names:
        await yjs.synced(name, timeout=5)

    async def all_presence() -> bool:
        for name in names:
            assert await _names_seen_by(yjs, name) == set(names), name
        return True

    await wait_for(all_presence, timeout=2, what="all 20 to see each other")


async def test_presence_identity_is_stamped_by_the_server(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    token = await running.server.login(running.accounts["bob"])
    await yjs.call(
        "open",
        name="b",
        url=running.server.ws,
        room=invoice_id,
        token=token,
        user={"id": running.accounts["alice"].user_id, "name": "alice", "color": "#000000"},
    )
    await _open(running, yjs, "a", invoice_id)

    async def a_sees_bob_as_bob() -> bool:
        states = (await yjs.call("awareness", name="a"))["states"].values()
        users = [s["user"] for s in states if s and s.get("tab") != "a"]
        assert len(users) == 1
        assert users[0]["id"] == running.accounts["bob"].user_id
        assert users[0]["name"] == "bob" and users[0]["color"].startswith("#")
        assert users[0]["color"] != "#000000"
        return True

    await wait_for(a_sees_bob_as_bob, timeout=1.0, what="bob's presence stamped as bob")
