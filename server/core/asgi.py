"""The application object's ASGI plumbing: WebSocket connections past the middleware that acts
on HTTP only, and FastAPI's routes built before the process serves."""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class App(FastAPI):
    """WebSocket connections go to the routes through the exception middleware only.

    FastAPI's own outer middleware (server errors, telemetry, body size) passes a WebSocket
    scope through too, and the exit stack serves uploaded files. Skipping them saves ~5 KB per
    connection (bench/conn_memory.py) and a call per received frame. If a middleware not known
    to be HTTP-only is ever added, sockets take the whole stack again.
    """

    # The middleware known to do nothing to a WebSocket connection (set by the assembly).
    http_only: tuple[type, ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if not all(cast(Any, m.cls) in self.http_only for m in self.user_middleware):
            return stack
        handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        sockets = ExceptionMiddleware(self.router, handlers=handlers, debug=self.debug)
        return ByScopeType(stack, sockets)


class ByScopeType:
    def __init__(self, http: ASGIApp, websocket: ASGIApp) -> None:
        self.http = http
        self.websocket = websocket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.websocket if scope["type"] == "websocket" else self.http
        await app(scope, receive, send)


def build_routes(app: FastAPI) -> None:
    """FastAPI builds an included router's routes (their models and validators) when the first
    request walks past them: 0.3 s on the event loop at the first request that reaches the
    last routes, which every client reconnecting to a freshly started process waited for.
    A path that no route matches walks them all, once, before the process serves."""
    for kind in ("http", "websocket"):
        probe: Scope = {
            "type": kind,
            "path": "/\x00",
            "root_path": "",
            "method": "GET",
            "headers": [],
        }
        for route in app.router.routes:
            route.matches(probe)
