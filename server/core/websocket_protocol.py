"""uvicorn's sans-I/O WebSocket protocol, with a direct write for the invoice socket.

Every frame sent through ASGI goes through Starlette's WebSocket, each middleware's send
wrapper (none of which touches a `websocket.send` message) and an awaited coroutine, from a
writer task woken for it: per client and per frame, at 50 clients and 100 updates/s that is
5,000 task wake-ups and ~35,000 Python calls a second. This protocol puts one synchronous call
in the scope's extensions, `SEND_NOWAIT`, that does what uvicorn's `send` does for a binary
frame (same state checks, same framing, same transport) when the transport is not paused, and
says False when it is, so that the caller queues the frame and awaits the ASGI path: the write
buffer's high-water mark and the peer's queue bounds are unchanged.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

SEND_NOWAIT = "cofacture.send_nowait"


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)  # only set on a 101
        if scope is not None:
            scope["extensions"][SEND_NOWAIT] = self.send_nowait

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
        try:
            self.conn.send_binary(data)
        except InvalidState:
            raise ClientDisconnected() from None
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True
