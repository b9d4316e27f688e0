"""WebSocket connections skip the middleware that only acts on HTTP (server/core/app.py): the
lane is in place, HTTP still takes the whole stack, and an unknown middleware turns it off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from server.core import app as app_module
from server.core import asgi
from server.core.app import create_app
from server.core.settings import Settings


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings.from_env({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)}))


def test_sockets_take_the_exception_middleware_only_and_http_the_whole_stack(app: Any) -> None:
    stack = app.build_middleware_stack()
    assert isinstance(stack, asgi.ByScopeType)
    assert isinstance(stack.websocket, ExceptionMiddleware)
    assert stack.websocket.app is app.router
    # The HTTP stack is FastAPI's, with every one of ours in it.
    layers, layer = [], stack.http
    while hasattr(layer, "app"):
        layers.append(type(layer))
        layer = layer.app
    assert set(app_module.HTTP_ONLY_MIDDLEWARE) <= set(layers)


def test_an_unknown_middleware_puts_sockets_back_on_the_whole_stack(app: Any) -> None:
    class Unknown:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(scope, receive, send)

    app.user_middleware.append(Middleware(Unknown))
    assert not isinstance(app.build_middleware_stack(), asgi.ByScopeType)
