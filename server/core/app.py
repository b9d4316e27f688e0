"""The ASGI application: routes, error mapping and the lifespan that owns every resource."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Persister, RoomRegistry
from server.auth import members_routes as members_api
from server.auth import oidc
from server.auth import routes as auth_api
from server.auth.access import Access, SessionCheckMiddleware, audit_denied
from server.auth.live import LiveAccess
from server.auth.security import TokenSigner
from server.auth.throttle import Throttle, TooManyAttempts
from server.auth.totp import SecretBox
from server.catalog import routes as catalog_api
from server.comments import notification_routes as notifications_api
from server.comments import routes as comments_api
from server.core import frontend as web
from server.core.context import AppContext
from server.core.db import create_engine, migrate, sessions
from server.core.errors import ApiError, Forbidden
from server.core.settings import Settings
from server.invoices import routes as api
from server.invoices import socket as ws
from server.invoices.rooms import InvoiceRooms
from server.invoices.store import SqlUpdateStore

log = logging.getLogger(__name__)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = {"error": exc.message}
    if exc.code:
        body["code"] = exc.code
    if isinstance(exc, Forbidden):
        await audit_denied(request, exc.message, status=exc.status)
    headers = exc.headers if isinstance(exc, TooManyAttempts) else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


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
        db_sessions = sessions(engine)
        invoice_rooms = InvoiceRooms(db_sessions)
        async with (
            Persister(store) as persister,
            RoomRegistry(
                store, persister, settings.limits, shape=INVOICE_SHAPE, setup=invoice_rooms.setup
            ) as registry,
        ):
            app.state.ctx = AppContext(
                settings=settings,
                engine=engine,
                sessions=db_sessions,
                signer=TokenSigner(settings.secret_key, ttl_seconds=settings.access_token_ttl),
                store=store,
                registry=registry,
            )
            access = settings.access
            app.state.access = Access(
                settings=access,
                live=LiveAccess(
                    registry, app.state.ctx.sessions, remember_seconds=settings.access_token_ttl
                ),
                box=SecretBox(settings.secret_key),
                throttle=Throttle(
                    free_failures=access.free_failures,
                    lockout_failures=access.lockout_failures,
                    lockout_seconds=access.lockout_seconds,
                    delay_seconds=access.delay_seconds,
                    ip_factor=access.ip_factor,
                ),
                oidc=oidc.client(access),
            )
            log.info("Cofacture ready on %s", engine.url.render_as_string(hide_password=True))
            yield
        await invoice_rooms.close()
        await engine.dispose()
        log.info("Cofacture stopped; every update is on disk")

    return Starlette(
        routes=[
            *api.routes,
            *catalog_api.routes,
            *comments_api.routes,
            *notifications_api.routes,
            *auth_api.routes,
            *members_api.routes,
            *oidc.routes,
            *ws.routes,
            *web.routes(),  # last: the front end never shadows /api or /ws
        ],
        lifespan=lifespan,
        middleware=[
            # Only the single sign-on flow keeps state in this cookie (its state and nonce).
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="cofacture_sso",
                max_age=600,
                same_site="lax",
            ),
            Middleware(SessionCheckMiddleware),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
