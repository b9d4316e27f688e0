"""The invoice WebSocket: authenticate (server/auth/sockets.py) and load *before* accepting,
then serve the room."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable

from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from collab.sync import (
    ChannelClosed,
    Identity,
    LoadError,
    ProtocolError,
    ShuttingDown,
    serve_peer,
)
from server.auth.service import (
    Capability,
    SocketCaller,
    access_changed,
    deny,
    socket_caller,
)
from server.core.context import AppContext
from server.core.errors import NotFound
from server.core.websocket_protocol import SEND_NOWAIT
from server.invoices import service as invoices

log = logging.getLogger(__name__)


class WebSocketChannel:
    """Starlette's WebSocket adapted to collab's Channel.

    `send_nowait` is our protocol's own (server/core/websocket_protocol.py) when the server is
    ours, and None otherwise: it writes a frame at once if the transport can take it, says False
    if it cannot (then `send` is used), and raises ClientDisconnected, an OSError, when the
    client is gone. The ASGI path runs each frame through Starlette's WebSocket and every
    middleware's send wrapper, none of which does anything to a `websocket.send` message: the
    peer calls this one directly, per frame and per client.
    """

    __slots__ = ("_ws", "send_nowait")

    def __init__(self, websocket: WebSocket) -> None:
        self._ws = websocket
        extensions = websocket.scope.get("extensions") or {}
        self.send_nowait: Callable[[bytes], bool] | None = extensions.get(SEND_NOWAIT)

    async def send(self, data: bytes) -> None:
        try:
            await self._ws.send({"type": "websocket.send", "bytes": data})
        except (WebSocketDisconnect, OSError, RuntimeError) as exc:
            raise ChannelClosed("connection lost while sending") from exc

    async def recv(self) -> bytes:
        message = await self._ws.receive()
        if message["type"] == "websocket.disconnect":
            raise ChannelClosed("client disconnected")
        data = message.get("bytes")
        if data is None:
            raise ProtocolError("text frames are not y-websocket messages")
        return bytes(data)

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):  # already gone
            await self._ws.close(code, reason[:120])


# Readable on white and distinct from each other; a user keeps the same colour everywhere.
_PALETTE = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d")


def presence_color(user_id: str) -> str:
    return _PALETTE[int(hashlib.sha256(user_id.encode()).hexdigest(), 16) % len(_PALETTE)]


async def invoice_socket(websocket: WebSocket) -> None:
    ctx: AppContext = websocket.app.state.ctx
    admitted = await _admit(websocket, ctx)
    if admitted is None:
        return
    caller, invoice_id, identity = admitted
    try:
        room = await ctx.registry.acquire(invoice_id)
    except ShuttingDown:
        await deny(websocket, 503, "server shutting down; reconnect")
        return
    except LoadError:
        await deny(websocket, 503, "the invoice cannot be loaded right now; try again later")
        return
    try:
        await websocket.accept()
        # Re-checked with no await before joining: a role change or sign-out that happened
        # while we read the access must not be missed by the sweep that closes live sockets.
        if access_changed(websocket, caller):
            await websocket.close(1008, "access changed; reconnect")
            return
        await serve_peer(room, WebSocketChannel(websocket), identity, ctx.settings.limits)
    finally:
        ctx.registry.release(room)


async def _admit(
    websocket: WebSocket, ctx: AppContext
) -> tuple[SocketCaller, str, Identity] | None:
    """Who may join which invoice with which rights; None once refused. A function of its own
    so that the database session and its ORM objects (~4 KB) are not kept alive by the
    endpoint's frame for the whole life of the connection."""
    caller = await socket_caller(websocket)
    if caller is None:
        return None
    try:
        async with ctx.sessions() as db:
            found = await invoices.access(
                db, user_id=caller.user_id, invoice_id=websocket.path_params["invoice_id"]
            )
    except NotFound:
        await deny(websocket, 404, "no such invoice")
        return None
    identity = Identity(
        user_id=caller.user_id,
        name=found.member.user.name,
        can_edit=found.can(Capability.INVOICE_EDIT) and found.invoice.status == "draft",
        color=presence_color(caller.user_id),
        session_id=caller.session_id,
        can_break_locks=found.can(Capability.LOCK_BREAK),
    )
    return caller, found.invoice.id, identity


class _InvoiceSocketApp:
    """The endpoint as a plain ASGI app: Starlette wraps a function endpoint in two more
    frames and an exception handler per connection, which the exception middleware in front
    of the routes (server/core/app.py) already is, with the same handlers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await invoice_socket(WebSocket(scope, receive=receive, send=send))


routes = [WebSocketRoute("/ws/invoices/{invoice_id}", _InvoiceSocketApp())]
