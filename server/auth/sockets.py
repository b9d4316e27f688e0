"""The WebSocket handshake every live channel shares (invoices, board): origin, token and the
access generation, refused at the HTTP upgrade rather than accepted then closed.

Refusing at the upgrade (401/403/404/503) matters: stock clients reconnect every 100 ms after a
close, but back off after a refused upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from server.auth import api_tokens
from server.auth.access import Principal, access_of, audit_denied, authenticate
from server.core.context import AppContext
from server.core.errors import Unauthorized
from server.core.origins import origin_allowed


@dataclass(frozen=True, slots=True)
class SocketCaller:
    """Who opened the socket, and their access generation before anything else was read."""

    principal: Principal
    generation: int

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def session_id(self) -> str:
        return self.principal.session_id


async def deny(websocket: WebSocket, status: int, error: str) -> None:
    """Refuse the upgrade with a JSON error body."""
    await websocket.send_denial_response(JSONResponse({"error": error}, status_code=status))


async def socket_caller(websocket: WebSocket) -> SocketCaller | None:
    """The authenticated caller of an upgrade request; None once it has been refused (403 for
    another site's page, 401 for a missing, forged or ended session)."""
    ctx: AppContext = websocket.app.state.ctx
    access = access_of(websocket)
    # Cross-site WebSocket hijacking: a page of another site must not use the victim's browser.
    if not origin_allowed(websocket.headers, access.settings.allowed_origins):
        await audit_denied(websocket, "origin not allowed", status=403)
        await deny(websocket, 403, "origin not allowed")
        return None
    token = websocket.query_params.get("token", "")
    if api_tokens.is_api_token(token):
        # An organization's API token is for its tools' REST calls, never a live session.
        await deny(websocket, 401, "API tokens are not accepted on the WebSocket: sign in")
        return None
    try:
        claims = await authenticate(ctx, access.live, token) if token else None
    except Unauthorized as exc:
        await deny(websocket, 401, exc.message)
        return None
    if claims is None:
        await deny(websocket, 401, "missing, invalid or expired token")
        return None
    return SocketCaller(claims, access.live.generation(claims.user_id))


def access_changed(websocket: WebSocket, caller: SocketCaller) -> bool:
    """Whether a sign-out or a role change happened since `socket_caller`: checked with no
    await before joining, so the sweep that closes live sockets cannot miss this one."""
    live = access_of(websocket).live
    return live.revoked(caller.session_id) or live.generation(caller.user_id) != caller.generation
