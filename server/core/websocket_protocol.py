"""uvicorn's sans-I/O WebSocket protocol, with a direct write for the invoice socket.

Every frame sent through ASGI goes through Starlette's WebSocket, each middleware's send
wrapper (none of which touches a `websocket.send` message) and an awaited coroutine, from a
writer task woken for it: per client and per frame, at 50 clients and 100 updates/s that is
5,000 task wake-ups and ~35,000 Python calls a second. This protocol puts one synchronous call
in the scope's extensions, `SEND_NOWAIT`, that does what uvicorn's `send` does for a binary
frame (same state checks, same framing, same transport) when the transport is not paused, and
says False when it is, so that the caller queues the frame and awaits the ASGI path: the write
buffer's high-water mark and the peer's queue bounds are unchanged.

It also holds its inbound messages and its "writable" flag in `Inbox` and `Flag` instead of an
asyncio.Queue and an asyncio.Event: those allocate five deques (760 bytes each, empty) per
connection that stay empty for its whole life (bench/conn_memory.py, --tracemalloc).
"""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

SEND_NOWAIT = "cofacture.send_nowait"

# The last binary frame framed, by payload: a room sends one update to each of its peers in a
# row, and a server frame (unmasked, no extension) depends on its payload only, so it is framed
# once for all of them instead of once per peer (websockets' Frame, header, extension loop and
# the join of its output buffer: ~3 µs each). Holding the payload keeps its identity unique.
_last_payload: bytes = b""
_last_frame: bytes = Frame(Opcode.BINARY, b"").serialize(mask=False)


def _binary_frame(data: bytes) -> bytes:
    global _last_payload, _last_frame
    if data is not _last_payload:
        _last_frame = Frame(Opcode.BINARY, data).serialize(mask=False)
        _last_payload = data
    return _last_frame


T = TypeVar("T")


class Inbox(Generic[T]):
    """The part of asyncio.Queue uvicorn uses (`put_nowait`, `get`, `empty`), unbounded as
    uvicorn's is (uvicorn pauses reading while a message waits, so it holds one or two)."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[None]] | None = None  # only while someone waits

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        self._wake_one()

    def _wake_one(self) -> None:
        for waiter in self._waiters or ():
            if not waiter.done():
                waiter.set_result(None)
                return

    async def get(self) -> T:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            waiters = self._waiters = self._waiters or []
            waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if self._items and waiter.done():
                    self._wake_one()  # the item it was woken for goes to the next waiter
                raise
            finally:
                waiters.remove(waiter)
                if not waiters:
                    self._waiters = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items


class Flag:
    """The part of asyncio.Event uvicorn uses for "writable" (`set`, `clear`, `wait`)."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        while not self._set:
            waiter = asyncio.get_running_loop().create_future()
            waiters = self._waiters = self._waiters or []
            waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in waiters:  # cancelled before `set` took the list
                    waiters.remove(waiter)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: Any = Inbox()
        self.writable: Any = Flag()
        self.writable.set()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)  # only set on a 101
        if scope is not None:
            scope["extensions"][SEND_NOWAIT] = self.send_nowait
            # The scope has its own copy of the headers, and nothing reads these again; but
            # websockets' parser keeps the request alive as long as the connection (~3 KB).
            event.headers.clear()

    def start_keepalive(self) -> None:
        # Called once the 101 is sent: the handshake's request and response are not used again.
        super().start_keepalive()
        self.request = self.response = None  # type: ignore[assignment]

    def send_nowait(self, data: bytes) -> bool:
        """Send one binary message now if uvicorn's `send` would do so without waiting; False
        if it would wait or refuse (not accepted yet, closing, answered with HTTP). Raise
        ClientDisconnected (an OSError) when the client is gone, as `send` does."""
        if self.disconnected:
            raise ClientDisconnected()
        if (
            not self.handshake_complete
            or self.close_sent
            or self.initial_response is not None
            or not self.writable.is_set()
        ):
            return False
        conn = self.conn
        if conn.state is State.OPEN and not conn.extensions and type(data) is bytes:
            # What `send_binary` would write, less the per-call framing (`_binary_frame`);
            # the protocol keeps no state about a complete data frame sent.
            self.transport.write(_binary_frame(data))
            return True
        try:
            conn.send_binary(data)
        except InvalidState:
            raise ClientDisconnected() from None
        self.transport.write(b"".join(conn.data_to_send()))
        return True
