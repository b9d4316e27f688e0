"""HTTP connections that cannot be held open for nothing.

uvicorn's h11 protocol times out a keep-alive connection only between requests, and cancels even
that timer as soon as any byte arrives: a client that connects and sends nothing, or sends half a
request head, keeps the connection (and its file descriptor) for ever (300 of 300 such sockets
were still open after 42 s). `HeadTimeoutProtocol` gives each connection `header_timeout`
seconds, from the moment it opens or its previous answer ends, to send a complete request head;
then it is closed. A request being answered, and a connection upgraded to a WebSocket, are left
alone (the WebSocket has its own idle timeout).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class HeadTimeoutProtocol(H11Protocol):
    header_timeout = 10.0  # seconds; set per server by `with_header_timeout`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        if not self.transport.is_closing():
            self.loop.call_later(self.header_timeout, partial(self._head_overdue, self.cycle))

    def _head_overdue(self, cycle_when_armed: Any) -> None:
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # closed already, or upgraded to a WebSocket
        if self.cycle is not cycle_when_armed:
            return  # a request head arrived meanwhile
        self.transport.close()


def with_header_timeout(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class to give uvicorn (`http=`), with this head timeout."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})
