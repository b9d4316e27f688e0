"""WebSocket /ws/board/{org_id}: the organization's board, live (docs/board.md).

Authenticated like the invoice socket (server/auth/sockets.py) and refused at the upgrade: 404
for an organization the caller is not in, 403 for a role that cannot read invoices. Then one
snapshot and per-card deltas as JSON text frames; the client sends nothing (what it sends is
ignored, bounded by the server's frame limit).
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.auth.service import access_changed, deny, socket_caller
from server.board import service as board
from server.board.hub import POLICY_VIOLATION, BoardHub, Subscriber
from server.core.context import AppContext
from server.core.errors import Forbidden, NotFound


async def board_socket(websocket: WebSocket) -> None:
    ctx: AppContext = websocket.app.state.ctx
    hub: BoardHub = websocket.app.state.board_hub
    org_id = websocket.path_params["org_id"]
    caller = await socket_caller(websocket)
    if caller is None:
        return
    try:
        async with ctx.sessions() as db:
            await board.board_member(db, user_id=caller.user_id, org_id=org_id)
    except NotFound:
        await deny(websocket, 404, "no such organization")
        return
    except Forbidden as exc:
        await deny(websocket, 403, exc.message)
        return
    subscriber = Subscriber(org_id=org_id, user_id=caller.user_id, session_id=caller.session_id)
    await websocket.accept()
    # Joined before the snapshot is read, so no change can fall between the two; a delta read
    # meanwhile is queued after the snapshot and at worst repeats what it shows.
    if access_changed(websocket, caller):
        await websocket.close(POLICY_VIOLATION, "access changed; reconnect")
        return
    hub.add(subscriber)
    try:
        subscriber.queue.appendleft(await hub.snapshot(org_id))
        subscriber.ready.set()
        await _serve(websocket, subscriber)
    finally:
        hub.remove(subscriber)


async def _serve(websocket: WebSocket, subscriber: Subscriber) -> None:
    """Write the subscriber's frames until it closes, the client goes or the hub closes it."""
    reader = asyncio.create_task(_until_disconnected(websocket))
    try:
        while True:
            frame_task = asyncio.create_task(subscriber.next())
            done, _ = await asyncio.wait({frame_task, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                frame_task.cancel()
                return
            frame = frame_task.result()
            if frame is None:
                code = subscriber.close_code or POLICY_VIOLATION
                with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
                    await websocket.close(code, subscriber.close_reason[:120])
                return
            try:
                await websocket.send_text(frame)
                # Drain what queued meanwhile without a task per frame (a burst of deltas).
                while subscriber.queue and subscriber.close_code is None:
                    await websocket.send_text(subscriber.queue.popleft())
            except (WebSocketDisconnect, OSError, RuntimeError):
                return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _until_disconnected(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # the board is read-only: a client's frames are ignored


routes = [WebSocketRoute("/ws/board/{org_id}", board_socket)]
