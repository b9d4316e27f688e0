"""The ASGI application: routes, error mapping and the lifespan that owns every resource."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from functools import partial
from types import ModuleType
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Persister, RoomRegistry
from collab.sync.cluster import Cluster
from server.accounting import routes as accounting_routes
from server.audit import routes as audit_routes
from server.auth import api_token_routes, members_routes, oidc
from server.auth import routes as auth_routes
from server.auth.access import Access, SessionCheckMiddleware, audit_denied
from server.auth.live import LiveAccess
from server.auth.throttle import Throttle
from server.auth.totp import SecretBox
from server.board import routes as board_routes
from server.board import service as board_service
from server.board import socket as board_socket
from server.board.hub import BoardHub
from server.catalog import routes as catalog_routes
from server.chat import routes as chat_routes
from server.chat import service as chat
from server.comments import notification_routes
from server.comments import routes as comment_routes
from server.core import changes, health
from server.core import frontend as web
from server.core.api import MAX_BODY_BYTES, exception_handlers, install_openapi
from server.core.asgi import App, build_routes
from server.core.body_limit import BodyLimitMiddleware
from server.core.bus import Bus
from server.core.context import AppContext
from server.core.db import (
    WrongDatabase,
    check_identity,
    check_sqlite_file,
    create_engine,
    file_guard,
    migrate,
    sessions,
    sqlite_path,
)
from server.core.errors import ApiError
from server.core.headers import SecurityHeadersMiddleware
from server.core.settings import Settings
from server.core.shared_locks import SharedLocks
from server.core.tokens import TokenSigner
from server.credit_notes import routes as credit_note_routes
from server.crm import routes as crm_routes
from server.events import routes as event_routes
from server.events import service as events
from server.exceptions import routes as exception_routes
from server.exceptions import service as exceptions_service
from server.exports import routes as export_routes
from server.exports import service as exports_service
from server.imports import routes as import_routes
from server.invoices import routes as invoice_routes
from server.invoices import service as invoices
from server.invoices import socket as ws
from server.invoices.rooms import InvoiceRooms
from server.invoices.store import SqlUpdateStore
from server.jobs import routes as job_routes
from server.jobs import service as jobs
from server.jobs.clock import Hourly
from server.mail import routes as mail_routes
from server.mail import service as mail
from server.mail.smtp import Smtp
from server.organization import routes as organization_routes
from server.payments import routes as payment_routes
from server.payments import service as payments
from server.paypage import routes as paypage_routes
from server.paypage import service as paypage
from server.paypage.stripe_adapter import StripeProvider
from server.platforms import routes as platform_routes
from server.platforms import service as platforms
from server.platforms.adapters import Adapter, FileDrop
from server.reconciliation import routes as reconciliation_routes
from server.recurring import routes as recurring_routes
from server.recurring import service as recurring
from server.reminders import routes as reminder_routes
from server.reminders import service as reminders
from server.reports import routes as report_routes
from server.timesheets import routes as timesheet_routes
from server.webhooks import routes as webhook_routes
from server.webhooks import service as webhooks
from server.workflow import routes as workflow_routes
from server.workflow import service as workflow_service

log = logging.getLogger(__name__)

# Young collections rarer (50,000 allocations instead of 700): a frame queued for a slow peer, a
# task, a message lives a few milliseconds, and with Python's default it survived two
# collections and reached the old generation, whose growth then triggered full collections
# walking every room and connection (380-440 ms with 2,000 connections: docs/benchmarks.md).
_GC_THRESHOLDS = (50_000, 20, 100)

# Each feature's HTTP routes, in the order they are matched.
FEATURE_ROUTES: tuple[ModuleType, ...] = (
    invoice_routes,
    catalog_routes,
    comment_routes,
    notification_routes,
    auth_routes,
    members_routes,
    api_token_routes,
    audit_routes,
    organization_routes,
    workflow_routes,
    credit_note_routes,
    export_routes,
    platform_routes,
    import_routes,
    board_routes,
    exception_routes,
    payment_routes,
    paypage_routes,
    report_routes,
    mail_routes,
    job_routes,
    recurring_routes,
    reminder_routes,
    reconciliation_routes,
    chat_routes,
    accounting_routes,
    event_routes,
    webhook_routes,
    crm_routes,
    timesheet_routes,
    oidc,
)


# Middleware that does nothing to a WebSocket connection but keep a suspended frame (and its
# closures) per connection for the connection's whole life: the first three pass any other
# scope type straight through, and no socket route reads the SSO cookie's session.
HTTP_ONLY_MIDDLEWARE = (
    SecurityHeadersMiddleware,
    BodyLimitMiddleware,
    SessionCheckMiddleware,
    SessionMiddleware,
)


def _routes_of(module: ModuleType) -> Any:
    return getattr(module, "router", None) or module.routes


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        allow_new = settings.allow_new_database
        try:
            check_sqlite_file(settings.database_url, settings.data_dir, allow_new=allow_new)
            engine = create_engine(settings.database_url)
            await migrate(engine)
            await check_identity(engine, settings.data_dir, allow_new=allow_new)
        except WrongDatabase as exc:
            log.critical("refusing to start: %s", exc)
            raise
        store = SqlUpdateStore(
            engine,
            guard=file_guard(settings.database_url),
            shared=settings.redis_url is not None,  # the log is numbered by the database
        )
        db_sessions = sessions(engine)
        invoice_rooms = InvoiceRooms(db_sessions)
        async with (
            AsyncExitStack() as stack,
            aclosing(store),
            platforms.Dispatcher(db_sessions),
            jobs.Worker(db_sessions, lease_seconds=settings.job_lease_seconds),
            Persister(store) as persister,
            RoomRegistry(
                store, persister, settings.limits, shape=INVOICE_SHAPE, setup=invoice_rooms.setup
            ) as registry,
        ):
            # Several processes share the database: Redis carries what each must hear.
            bus = None
            if settings.redis_url is not None:
                if sqlite_path(settings.database_url) is not None:
                    log.warning("REDIS_URL with SQLite: several processes need PostgreSQL")
                bus = await stack.enter_async_context(Bus(settings.redis_url))
                locks = SharedLocks(bus.client, process_id=bus.process_id)
                cluster = await stack.enter_async_context(Cluster(registry, bus, locks=locks))
                bus.on_connected.append(cluster.reconcile)
                cluster.on_recheck.append(invoice_rooms.recheck)  # states a message missed
                bus.on_process_seen.append(cluster.process_seen)
                bus.on_process_gone.append(cluster.process_gone)
            app.state.ctx = AppContext(
                settings=settings,
                engine=engine,
                sessions=db_sessions,
                signer=TokenSigner(settings.secret_key, ttl_seconds=settings.access_token_ttl),
                store=store,
                registry=registry,
                bus=bus,
                settle_summaries=invoice_rooms.settle,
            )
            # The live board: told of every invoice change and presence change (docs/board.md),
            # those of the other processes too when there is a bus.
            hub = app.state.board_hub = BoardHub(db_sessions, registry, bus=bus)
            changes.register("board", hub.invoice_changed)
            changes.register("bus", None if bus is None else changes.Relay(bus), relay=True)
            registry.on_presence.append(hub.presence_changed)
            # Recurring invoices (docs/recurring.md): the period's draft is written through the
            # rooms; today's sweep is queued at start, and each sweep queues the next day's.
            recurring.register_jobs(db_sessions, registry, store)
            # Payment reminders (docs/reminders.md): the daily sweep, and the send job, which
            # renders the PDF through the rooms' registry and store.
            jobs.register(reminders.SWEEP, reminders.sweep)
            jobs.register(
                reminders.SEND,
                partial(reminders.send, sessions=db_sessions, registry=registry, store=store),
            )
            # Domain events (docs/integrations.md): each event's dispatch to its subscribers,
            # and invoice.overdue's daily sweep and once-per-invoice emission.
            jobs.register(events.DISPATCH, events.dispatch)
            # Outgoing webhooks: one delivery job per (event, endpoint) (docs/integrations.md).
            events.subscribe("webhooks", webhooks.on_event)
            jobs.register(webhooks.DELIVER, webhooks.deliver)
            jobs.register(payments.OVERDUE_SWEEP, payments.sweep_overdue)
            jobs.register(payments.OVERDUE, payments.emit_overdue)
            # The periodic sweeps, queued at start and every hour (once per process group).
            await stack.enter_async_context(
                Hourly(
                    db_sessions,
                    [reminders.queue_hourly, recurring.queue_today, payments.queue_overdue],
                )
            )
            access = settings.access
            app.state.access = Access(
                settings=access,
                live=LiveAccess(
                    registry,
                    partial(_invoice_states, db_sessions),
                    remember_seconds=settings.access_token_ttl,
                    bus=bus,
                    db_sessions=db_sessions,
                    invoice_orgs=partial(_invoice_orgs, db_sessions),
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
            app.state.access.live.sockets.append(hub)
            build_routes(app)
            # Everything loaded so far (the libraries, the app, the XSLT and XSD caches) lives
            # as long as the process: out of the collector's sight, a full collection no longer
            # walks it. Without this, full collections paused the loop for 100-180 ms under
            # load and set the p99 fan-out (docs/benchmarks.md, "Several processes").
            gc.collect()
            gc.freeze()
            gc.set_threshold(*_GC_THRESHOLDS)
            log.info("Cofacture ready on %s", engine.url.render_as_string(hide_password=True))
            yield
            hub.close()
            changes.register("board", None)
            changes.register("bus", None)
        await invoice_rooms.close()
        await exports_service.stop_rendering()
        await engine.dispose()
        log.info("Cofacture stopped; every update is on disk")

    app = App(
        title="Cofacture",
        version="0.1.0",
        summary="Collaborative invoicing: live co-edited invoice drafts over the Yjs protocol",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        # A JSON body is read as JSON whatever its Content-Type says (curl's default is a form).
        strict_content_type=False,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeadersMiddleware),  # first: on every answer, errors included
            Middleware(
                BodyLimitMiddleware,
                max_bytes=MAX_BODY_BYTES,
                routes={
                    **import_routes.BODY_LIMITS,
                    **reconciliation_routes.BODY_LIMITS,
                    **crm_routes.BODY_LIMITS,
                    **timesheet_routes.BODY_LIMITS,
                },
            ),
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
        exception_handlers=exception_handlers(_denied),
    )
    app.http_only = HTTP_ONLY_MIDDLEWARE
    install_openapi(app)
    # Every issue passes the EN 16931 rules (the workflow cannot import the exports feature,
    # which renders what the workflow issued).
    workflow_service.register_issue_gate("en16931", exports_service.issue_gate)
    # The board's cards show open exceptions (the board cannot import the feature above it).
    board_service.register_exceptions(exceptions_service.open_by_invoice)
    # Issued invoices go to the configured e-invoicing platforms, queued in the issue's
    # transaction (docs/e-invoices.md).
    adapters = _platform_adapters(settings)
    platforms.configure(adapters)
    workflow_service.register_issued_hook(
        "platforms", platforms.queue_at_issue if adapters else None
    )
    webhooks.configure(
        allow_private=settings.webhooks_allow_private, secret_key=settings.secret_key
    )
    # Mail goes out through SMTP_URL's server, or waits in the outbox (docs/mail.md).
    mail.configure(Smtp.parse(settings.smtp_url) if settings.smtp_url else None, settings.mail_from)
    # Slack, Teams and e-mail notifications of the domain events (docs/integrations.md).
    chat.configure(
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        allow_any_host=settings.chat_allow_any_host,
    )
    events.subscribe("chat", chat.on_event)
    # Card payments on the public payment page when Stripe is configured (docs/paypage.md).
    paypage.configure(_card_provider(settings))
    app.include_router(health.router)
    # The sockets first: a connection then matches in two steps, not past every API route.
    app.router.routes.extend(ws.routes)
    app.router.routes.extend(board_socket.routes)
    for part in map(_routes_of, FEATURE_ROUTES):
        if isinstance(part, APIRouter):
            app.include_router(part)
        else:
            app.router.routes.extend(part)
    app.router.routes.extend(web.routes())  # last: the front end never shadows /api or /ws
    return app


def _platform_adapters(settings: Settings) -> dict[str, Adapter]:
    if settings.platform_drop_dir is None:
        return {}
    drop = FileDrop(settings.platform_drop_dir)
    return {drop.name: drop}


def _card_provider(settings: Settings) -> StripeProvider | None:
    if settings.stripe_secret_key is None or settings.stripe_webhook_secret is None:
        return None
    return StripeProvider(
        secret_key=settings.stripe_secret_key,
        webhook_secret=settings.stripe_webhook_secret,
        api_base=settings.stripe_api_base,
    )


async def _invoice_states(
    db_sessions: async_sessionmaker[Any], org_id: str, invoice_ids: list[str]
) -> list[tuple[str, str]]:
    async with db_sessions() as db:
        return await invoices.statuses(db, org_id=org_id, invoice_ids=invoice_ids)


async def _invoice_orgs(db_sessions: async_sessionmaker[Any], ids: list[str]) -> dict[str, str]:
    async with db_sessions() as db:
        return await invoices.orgs_of(db, ids)


async def _denied(request: Request, exc: ApiError) -> None:
    await audit_denied(request, exc.message, status=exc.status)
