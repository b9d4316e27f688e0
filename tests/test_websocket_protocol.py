"""The direct write of server/core/websocket_protocol.py, on uvicorn's real protocol object over
a fake transport: it frames like `send`, refuses while the transport is paused or before the
handshake, and reports a gone client as `send` does; what it holds leaves at the end of the
loop's iteration, in one write per connection, before anything written after it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.server import ServerState
from websockets.frames import Frame, Opcode

from server.core.websocket_protocol import (
    HOLD_BYTES,
    SEND_NOWAIT,
    Flag,
    Inbox,
    WebSocketProtocol,
)
from tests.harness import wait_until

HANDSHAKE = (
    b"GET /ws/invoices/x HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: " + base64.b64encode(b"0123456789abcdef") + b"\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.writes = 0  # calls to `write`: system calls, on a real transport
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closing, "written after close"
        self.written += data
        self.writes += 1

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name, default)

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


async def served() -> tuple[WebSocketProtocol, Transport, Callable[[bytes], bool]]:
    accepted = asyncio.Event()
    direct: list[Callable[[bytes], bool]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        direct.append(scope["extensions"][SEND_NOWAIT])
        assert not direct[0](b"too early")  # before the accept
        await send({"type": "websocket.accept"})
        accepted.set()
        while (await receive())["type"] != "websocket.disconnect":
            pass

    config = Config(app, ws=WebSocketProtocol, ws_max_size=1024, log_level="warning")
    config.load()
    protocol = WebSocketProtocol(config, ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)
    protocol.data_received(HANDSHAKE)
    await asyncio.wait_for(accepted.wait(), 2)
    transport.written.clear()
    transport.writes = 0
    return protocol, transport, direct[0]


async def end_of_iteration() -> None:
    """Let the loop finish the callbacks due now, the held writes' flush among them."""
    await asyncio.sleep(0)


def unmasked_frame(data: bytes) -> bytes:
    return Frame(Opcode.BINARY, data).serialize(mask=False)


async def test_a_direct_write_frames_like_send() -> None:
    protocol, transport, send_nowait = await served()
    # What the handshake needed is let go; the scope keeps its own copy of the headers.
    assert vars(protocol)["response"] is None
    assert (b"Sec-WebSocket-Version", b"13") in protocol.scope["headers"]
    assert send_nowait(b"\x00\x01abc")
    await end_of_iteration()
    assert bytes(transport.written) == unmasked_frame(b"\x00\x01abc")
    protocol.connection_lost(None)


def rfc6455_binary(data: bytes) -> bytes:
    """A server's binary frame written out from RFC 6455 section 5.2: FIN + opcode 2, no mask,
    the 7-bit length or 126 + 16 bits or 127 + 64 bits, then the payload."""
    if len(data) < 126:
        return bytes([0x82, len(data)]) + data
    if len(data) < 1 << 16:
        return bytes([0x82, 126]) + len(data).to_bytes(2, "big") + data
    return bytes([0x82, 127]) + len(data).to_bytes(8, "big") + data


async def test_one_payload_sent_to_many_connections_is_framed_right_for_each() -> None:
    # A room sends the same update object to each peer in a row, and the framing is shared:
    # each connection must still get exactly its frames, whatever the size and the order.
    served_pairs = [await served() for _ in range(3)]
    small, medium, large = b"\x00\x02ab", bytes(range(256)) * 2, b"\x07" * 70_000
    sent = [small, small, medium, large, small, bytes(small)]  # the last: equal, not the same
    for payload in sent:
        for _, _, send_nowait in served_pairs:
            assert send_nowait(payload)
    await end_of_iteration()
    for protocol, transport, _ in served_pairs:
        assert bytes(transport.written) == b"".join(map(rfc6455_binary, sent))
        protocol.connection_lost(None)


async def test_a_paused_transport_refuses_direct_writes_until_it_resumes() -> None:
    protocol, transport, send_nowait = await served()
    protocol.pause_writing()
    assert not send_nowait(b"x") and transport.written == b""
    protocol.resume_writing()
    assert send_nowait(b"x")
    protocol.connection_lost(None)


async def test_direct_writes_stop_at_close_and_a_gone_client_raises() -> None:
    protocol, _, send_nowait = await served()
    await protocol.send({"type": "websocket.close", "code": 1000, "reason": ""})
    assert not send_nowait(b"after close")
    protocol.connection_lost(None)
    with pytest.raises(ClientDisconnected):
        send_nowait(b"gone")
    await wait_until(lambda: not protocol.tasks, what="the app's task done")


async def test_the_inbox_hands_messages_over_in_order_to_a_waiting_reader() -> None:
    inbox: Inbox[int] = Inbox()
    first = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert await first == 1 and not inbox.empty()
    assert await inbox.get() == 2 and inbox.empty()


async def test_a_cancelled_reader_leaves_its_message_to_the_next() -> None:
    inbox: Inbox[int] = Inbox()
    cancelled, other = asyncio.create_task(inbox.get()), asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(7)
    cancelled.cancel()
    assert await asyncio.wait_for(other, 1) == 7
    assert cancelled.cancelled()


async def test_the_flag_releases_every_waiter_when_set() -> None:
    flag = Flag()
    waiting = [asyncio.create_task(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(t.done() for t in waiting)
    flag.set()
    await asyncio.wait_for(asyncio.gather(*waiting), 1)
    flag.clear()
    assert not flag.is_set()


async def test_frames_of_one_iteration_leave_in_one_write_in_their_order() -> None:
    protocol, transport, send_nowait = await served()
    frames = [b"\x00\x02" + bytes([i]) * i for i in range(1, 6)]
    for frame in frames:
        assert send_nowait(frame)
    assert transport.written == b"", "held until the loop's iteration ends"
    await end_of_iteration()
    assert bytes(transport.written) == b"".join(map(rfc6455_binary, frames))
    assert transport.writes == 1
    assert send_nowait(b"next")  # a later iteration holds again, and writes again
    await end_of_iteration()
    assert transport.writes == 2
    protocol.connection_lost(None)


async def test_a_write_of_uvicorns_own_comes_after_what_is_held() -> None:
    # A close sent through ASGI must not overtake the frames sent before it: the client would
    # read the close first and never see them.
    protocol, transport, send_nowait = await served()
    assert send_nowait(b"before the close")
    await protocol.send({"type": "websocket.close", "code": 1000, "reason": "bye"})
    # RFC 6455 5.5.1: FIN + opcode 8, length 5, the code 1000 in two bytes, then the reason.
    close = bytes([0x88, 5]) + (1000).to_bytes(2, "big") + b"bye"
    assert bytes(transport.written) == rfc6455_binary(b"before the close") + close
    protocol.connection_lost(None)


async def test_a_transport_closed_gets_what_is_held_first() -> None:
    protocol, transport, send_nowait = await served()
    assert send_nowait(b"last words")
    protocol.transport.close()
    assert bytes(transport.written) == rfc6455_binary(b"last words") and transport.closing
    await end_of_iteration()  # the flush then finds nothing held: no write after the close
    protocol.connection_lost(None)


async def test_a_connection_holds_a_bounded_number_of_bytes() -> None:
    protocol, transport, send_nowait = await served()
    chunk = b"\x01" * (HOLD_BYTES // 4)
    for _ in range(4):
        assert send_nowait(chunk)
    # The fourth frame took what is held past the bound: everything left at once.
    assert transport.writes == 1 and len(transport.written) > HOLD_BYTES
    assert send_nowait(b"small")
    await end_of_iteration()
    assert bytes(transport.written) == b"".join(
        map(rfc6455_binary, [chunk, chunk, chunk, chunk, b"small"])
    )
    protocol.connection_lost(None)


async def test_one_failing_transport_does_not_hold_back_the_others_held_frames(
    caplog: pytest.LogCaptureFixture,
) -> None:
    (broken, broken_transport, broken_send), (fine, transport, send_nowait) = [
        await served() for _ in range(2)
    ]

    def refuse(data: bytes | bytearray | memoryview) -> None:
        raise RuntimeError("transport broke")

    broken_transport.write = refuse  # type: ignore[method-assign]
    assert broken_send(b"lost") and send_nowait(b"delivered")  # held by both, broken first
    await end_of_iteration()
    assert bytes(transport.written) == rfc6455_binary(b"delivered")
    assert "writing held frames failed" in caplog.text
    broken.connection_lost(None)
    fine.connection_lost(None)
