"""Request bodies are cut at a size in bytes while they stream in, with the documented 413.

A declared `Content-Length` above the limit is refused before anything is read. A body without
one (chunked) is counted as it arrives: at the limit the 413 is sent at once, the application
sees the client gone, and whatever it answers afterwards is dropped. Memory held for a body is
thus bounded by the limit, whoever reads it. After a refusal the rest of the body is read and
thrown away, up to `DRAIN_BYTES` and `DRAIN_SECONDS`, between the 413's head and its body:
closing a socket with unread data resets it, and a reset can reach the client before the 413
does. (uvicorn reads nothing more of a request once its answer is complete, so the drain must
come before.)

A route that takes files (an e-invoice import, a bank statement) is given its own, larger limit
by method and path in `routes` (a path may name its `{parameter}` segments), so every other
route keeps the small one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 4 * 1024 * 1024  # past this, a refused upload is cut off (the client may see a reset)
DRAIN_SECONDS = 5.0  # and past this: a client that stops sending still gets its 413


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int, routes: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.routes = dict(routes or {})  # (method, path) -> that route's own limit
        # Paths with a `{parameter}` segment match any one segment there.
        self.templates = [
            (method, _template(path), limit)
            for (method, path), limit in self.routes.items()
            if "{" in path
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["method"], scope["path"])
        if _declared_length(scope) > limit:
            # A client waiting for "100 Continue" has sent nothing: asking would invite it.
            drain = None if _header(scope, b"expect") else receive
            await self._refuse(send, drain, limit, 0)
            return
        seen = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    await self._refuse(send, receive, limit, seen)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # the 413 has been sent: the application's answer goes nowhere
                await send(message)

        await self.app(scope, counted_receive, guarded_send)

    def _limit(self, method: str, path: str) -> int:
        found = self.routes.get((method, path))
        if found is not None:
            return found
        for route_method, pattern, limit in self.templates:
            if route_method == method and pattern.fullmatch(path):
                return limit
        return self.max_bytes

    async def _refuse(self, send: Send, drain: Receive | None, limit: int, seen: int) -> None:
        """The 413, the rest of the body drained in between (`drain`): once the answer is
        complete the server reads no more of the request and closes the connection."""
        body = json.dumps({"error": f"request body above {limit} bytes"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        if drain is not None:
            await _drain(drain, seen)
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, seen: int) -> None:
    """Read and discard what is left of a refused body, up to DRAIN_BYTES in all and for at
    most DRAIN_SECONDS."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            while seen <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                seen += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


def _template(path: str) -> re.Pattern[str]:
    """ "/api/orgs/{org}/statements" as a pattern: each `{name}` segment is one segment."""
    parts = [
        r"[^/]+" if re.fullmatch(r"\{\w+\}", part) else re.escape(part) for part in path.split("/")
    ]
    return re.compile("/".join(parts))


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value)
    return None


def _declared_length(scope: Scope) -> int:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else 0
