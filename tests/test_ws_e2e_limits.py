"""Refusals and bounds at the socket: bad tokens, bad frames, oversized frames.

A raw WebSocket client (the `websockets` library) sends what a stock client never would; real
Yjs clients in the same room check that the others are not affected.
"""

from __future__ import annotations

import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from collab.sync.protocol import encode_sync_step1, encode_update
from tests.conftest import Running
from tests.harness import YjsClients, new_invoice, stored_document, wait_for


async def _refusal_status(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    return refused.value.response.status_code


async def test_bad_tokens_and_unknown_invoices_are_refused_before_accept(running: Running) -> None:
    alice = running.accounts["alice"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    base = f"{running.server.ws}/{invoice_id}"
    assert await _refusal_status(base) == 401
    assert await _refusal_status(f"{base}?token=not-a-token") == 401
    token = await running.server.login(alice)
    assert await _refusal_status(f"{base}?token={token[:-2]}xx") == 401
    assert await _refusal_status(f"{running.server.ws}/{uuid.uuid4()}?token={token}") == 404
    assert await _refusal_status(f"{running.server.ws}/not-a-uuid?token={token}") == 404
    async with connect(f"{base}?token={token}") as ws:  # and the right token is accepted
        assert (await ws.recv())[:2] == b"\x00\x00"  # the server's sync step 1 comes first


async def _join_two_yjs_clients(running: Running, yjs: YjsClients) -> tuple[str, str]:
    alice, bob = running.accounts["alice"], running.accounts["bob"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    for name, account in (("a", alice), ("b", bob)):
        token = await running.server.login(account)
        await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token)
        await yjs.synced(name)
    return invoice_id, await running.server.login(bob)


async def _still_working(running: Running, yjs: YjsClients, invoice_id: str, value: str) -> None:
    await yjs.call("set", name="a", key="buyer_reference", value=value)

    async def arrived() -> bool:
        return bool((await yjs.state("b"))["json"]["invoice"].get("buyer_reference") == value)

    await wait_for(arrived, what="an edit to reach the other client")
    status = await yjs.call("status", name="a")
    assert status["closes"] == [] and status["wsconnected"]


@pytest.mark.parametrize(
    ("frame", "expected_code"),
    [
        (b"\xff\xff\xff", 1002),  # not a message type
        (b"\x00\x07\x00", 1002),  # unknown sync message type
        (b"\x00\x02\x05ab", 1002),  # truncated update
        (encode_update(b"\x05garbage-update"), 1007),  # well framed, not a Yjs update
        (encode_sync_step1(b"\xff\xff"), 1002),  # not a state vector
        (b"\x01\x0a\x01\x01\x01\x05{nope", 1002),  # awareness that is not JSON
    ],
)
async def test_a_bad_frame_closes_only_its_own_connection(
    running: Running, yjs: YjsClients, frame: bytes, expected_code: int
) -> None:
    invoice_id, token = await _join_two_yjs_clients(running, yjs)
    async with connect(f"{running.server.ws}/{invoice_id}?token={token}") as raw:
        await raw.send(frame)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await raw.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == expected_code
    await _still_working(running, yjs, invoice_id, "after bad frame")

    async def stored() -> bool:  # written behind the broadcast: the peer may see it first
        content, _ = await stored_document(running.server.data_dir, invoice_id)
        return bool(content["invoice"].get("buyer_reference") == "after bad frame")

    await wait_for(stored, what="the edit after the bad frame to be stored")


async def test_text_frames_are_refused(running: Running, yjs: YjsClients) -> None:
    invoice_id, token = await _join_two_yjs_clients(running, yjs)
    async with connect(f"{running.server.ws}/{invoice_id}?token={token}") as raw:
        await raw.send("hello")
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await raw.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1002
    await _still_working(running, yjs, invoice_id, "after text frame")


async def test_an_oversized_frame_closes_only_its_own_connection(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id, token = await _join_two_yjs_clients(running, yjs)
    async with connect(f"{running.server.ws}/{invoice_id}?token={token}", max_size=None) as raw:
        await raw.send(b"\x00\x02" + b"\x80" * (1024 * 1024 + 10))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await raw.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    await _still_working(running, yjs, invoice_id, "after oversized frame")
