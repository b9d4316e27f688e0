"""uvicorn's sans-I/O WebSocket protocol, with a direct write for the invoice socket.

Every frame sent through ASGI goes through Starlette's WebSocket, each middleware's send
wrapper (none of which touches a `websocket.send` message) and an awaited coroutine, from a
writer task woken for it: per client and per frame, at 50 clients and 100 updates/s that is
5,000 task wake-ups and ~35,000 Python calls a second. This protocol puts one synchronous call
in the scope's extensions, `SEND_NOWAIT`, that does what uvicorn's `send` does for a binary
frame (same state checks, same framing, same transport) when the transport is not paused, and
says False when it is, so that the caller queues the frame and awaits the ASGI path: the write
buffer's high-water mark and the peer's queue bounds are unchanged. Those frames are held until
the loop's iteration ends and leave as one write per connection (`HeldWrites`): at 1,600
updates/s on the realistic mix, 40 % fewer write calls (docs/benchmarks.md).

It also holds its inbound messages and its "writable" flag in `Inbox` and `Flag` instead of an
asyncio.Queue and an asyncio.Event: those allocate five deques (760 bytes each, empty) per
connection that stay empty for its whole life (bench/conn_memory.py, --tracemalloc).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Generic, TypeVar

from uvicorn.config import Config
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

log = logging.getLogger(__name__)

SEND_NOWAIT = "cofacture.send_nowait"
_FLUSHER = "cofacture_flusher"

# The last binary frame framed, with its payload: a room sends one update to each of its peers
# in a row, and a server frame (unmasked, no extension) depends on its payload only, so it is
# framed once for all of them instead of once per peer (websockets' Frame, header, extension
# loop and the join of its output buffer: ~3 us each). Holding the payload keeps its identity
# unique; the pair is one tuple so that two event loops in threads never mix two frames up.
_last: tuple[bytes, bytes] = (b"", Frame(Opcode.BINARY, b"").serialize(mask=False))


def _binary_frame(data: bytes) -> bytes:
    global _last
    payload, frame = _last
    if data is not payload:
        frame = Frame(Opcode.BINARY, data).serialize(mask=False)
        _last = (data, frame)
    return frame


# Held frames are written when a connection holds this many bytes, without waiting for the end
# of the loop's iteration: what one connection holds stays bounded in bytes.
HOLD_BYTES = 64 * 1024


class HeldWrites:
    """The transport of one connection, whose direct writes wait for the end of the event
    loop's iteration and go out as one `write`.

    Under load one poll of the loop hands several clients' updates over at once, and the room
    sends each of them to every other peer: without holding, one system call (and, on
    loopback, one segment delivered) per frame and peer; held, one per peer and iteration.
    Every other write (uvicorn's handshake, pings, pongs, closes, the ASGI `send`) goes through
    `write`, which writes what is held first, so frames never overtake one another; `close`
    writes it first too. A transport aborted or lost drops what is held, as it drops its own
    buffer."""

    __slots__ = ("_flusher", "_held", "_held_bytes", "transport")

    def __init__(self, transport: asyncio.Transport, flusher: Flusher) -> None:
        self.transport = transport
        self._flusher = flusher
        self._held: list[bytes] | None = None  # only while something is held
        self._held_bytes = 0

    def hold(self, frame: bytes) -> None:
        held = self._held
        if held is None:
            self._held = [frame]
            self._held_bytes = len(frame)
            self._flusher.mark(self)
        else:
            held.append(frame)
            self._held_bytes += len(frame)
        if self._held_bytes >= HOLD_BYTES:
            self.flush()

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            transport = self.transport
            if not transport.is_closing():
                transport.write(held[0] if len(held) == 1 else b"".join(held))

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.flush()
        self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        # is_closing, abort, pause_reading, get_extra_info...: the transport's own.
        return getattr(self.transport, name)


class Flusher:
    """The connections of one server (one event loop) holding frames, written once the
    callbacks of the loop's current iteration have run (`call_soon`: before the next poll's
    callbacks, after the ones already due)."""

    __slots__ = ("_loop", "_marked")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._marked: list[HeldWrites] = []

    def mark(self, writes: HeldWrites) -> None:
        if not self._marked:
            self._loop.call_soon(self._flush)
        self._marked.append(writes)

    def _flush(self) -> None:
        marked, self._marked = self._marked, []
        for writes in marked:
            try:
                writes.flush()
            except Exception:  # one connection's transport failing must not hold the others'
                log.exception("writing held frames failed")


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
    def __init__(
        self, config: Config, server_state: ServerState, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(config, server_state, *args, **kwargs)
        self.queue: Any = Inbox()
        self.writable: Any = Flag()
        self.writable.set()
        # One per server, kept on its shared state (the server's connections are there too).
        flusher: Flusher | None = getattr(server_state, _FLUSHER, None)
        if flusher is None:
            flusher = Flusher(self.loop)
            setattr(server_state, _FLUSHER, flusher)
        self._flusher = flusher

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport = self._writes = HeldWrites(self.transport, self._flusher)  # type: ignore[assignment]

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
            self._writes.hold(_binary_frame(data))
            return True
        try:
            conn.send_binary(data)
        except InvalidState:
            raise ClientDisconnected() from None
        self.transport.write(b"".join(conn.data_to_send()))
        return True
