"""The ASGI application: routes, error mapping and the lifespan that owns every resource."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab import Persister, RoomRegistry
from server import api, ws
from server.context import AppContext
from server.db import create_engine, migrate, sessions
from server.doc_store import SqlUpdateStore
from server.errors import ApiError
from server.security import TokenSigner
from server.settings import Settings

log = logging.getLogger(__name__)


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = {"error": exc.message}
    if exc.code:
        body["code"] = exc.code
    return JSONResponse(body, status_code=exc.status)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        await migrate(engine)
        store = SqlUpdateStore(engine)
        async with (
            Persister(store) as persister,
            RoomRegistry(store, persister, settings.limits) as registry,
        ):
            app.state.ctx = AppContext(
                settings=settings,
                engine=engine,
                sessions=sessions(engine),
                signer=TokenSigner(settings.secret_key, ttl_seconds=settings.access_token_ttl),
                store=store,
                registry=registry,
            )
            log.info("Cofacture ready on %s", engine.url.render_as_string(hide_password=True))
            yield
        await engine.dispose()
        log.info("Cofacture stopped; every update is on disk")

    return Starlette(
        routes=[*api.routes, *ws.routes],
        lifespan=lifespan,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
