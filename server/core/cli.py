"""`python -m server`: serve, migrate, create-org, create-user, verify-audit."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import re
import socket
import sys
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, migrate, sessions
from server.core.errors import ApiError
from server.core.settings import Settings

log = logging.getLogger(__name__)

# A stop still running after this long dumps every thread's stack to the log.
_STUCK_STOP_SECONDS = 15.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="Cofacture service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP and WebSocket server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")

    commands.add_parser("migrate", help="bring the database schema up to date")

    org = commands.add_parser("create-org", help="create an organization")
    org.add_argument("name")

    user = commands.add_parser("create-user", help="create a user in an organization")
    user.add_argument("--org", required=True, help="organization name or id")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--name", default="")

    verify = commands.add_parser(
        "verify-audit", help="walk the audit hash chains; exit 1 at the first broken link"
    )
    verify.add_argument("--org", help="organization name or id (default: every chain)")
    return parser


class AuditBroken(Exception):
    """An audit chain has a broken link: the CLI prints the report and exits with 1."""


async def _verify_audit(db: AsyncSession, org: str | None) -> str:
    chains = [(await accounts.find_org(db, org)).id] if org else await audit.chains(db)
    lines, broken = [], False
    for org_id in chains:
        verdict = await audit.verify_chain(db, org_id=org_id)
        name = f"organization {org_id}" if org_id else "global chain"
        if verdict.first_broken is None:
            lines.append(f"{name}: {verdict.entries} entries, ok, head {verdict.head_hash}")
        else:
            link = verdict.first_broken
            lines.append(
                f"{name}: BROKEN at position {link.position} (id {link.id}): {link.reason.value}"
            )
            broken = True
    report = "\n".join(lines) or "no audit entries"
    if broken:
        raise AuditBroken(report)
    return report


async def _with_db(settings: Settings, args: argparse.Namespace) -> str:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        if args.command == "migrate":
            return "database is up to date"
        async with sessions(engine).begin() as db:
            if args.command == "verify-audit":
                return await _verify_audit(db, args.org)
            if args.command == "create-org":
                org = await accounts.create_org(db, name=args.name)
                return f"created organization {org.name} ({org.id})"
            org = await accounts.find_org(db, args.org)
            user = await accounts.create_user(
                db,
                org=org,
                email=args.email,
                password=args.password,
                role=Role(args.role),
                name=args.name,
            )
            return f"created {user.email} ({user.id}) as {args.role} of {org.name}"
    finally:
        await engine.dispose()


class RedactTokens(logging.Filter):
    """uvicorn logs WebSocket paths with their query string: keep bearer tokens out of logs."""

    _pattern = re.compile(r"(token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._pattern.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def _serve(settings: Settings, host: str, port: int | None) -> None:
    import uvicorn

    from server.core.app import create_app
    from server.core.connections import with_header_timeout
    from server.core.websocket_protocol import WebSocketProtocol

    class HandOver(uvicorn.Server):
        """On SIGTERM, before uvicorn closes the sockets (1012, "restart"): every accepted
        update made durable, then each invoice's clients told to reconnect elsewhere (1001)."""

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # A stop takes well under a second (hand-over, then bounded waits): one still
            # running after this long is stuck, and its stacks in the log say where.
            faulthandler.dump_traceback_later(_STUCK_STOP_SECONDS, exit=False)
            ctx = getattr(app.state, "ctx", None)
            if ctx is not None:
                told = await ctx.registry.hand_over()
                log.info("handed %d connections over", told)
            await super().shutdown(sockets)

    logging.getLogger("uvicorn.error").addFilter(RedactTokens())
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        ws_max_size=settings.limits.max_frame_bytes,
        # Yjs frames are mostly tens of bytes: compressing each one per client costs far more
        # CPU than it saves bandwidth (see docs/benchmarks.md).
        ws_per_message_deflate=False,
        # uvicorn's "websockets-sansio" (measured in docs/benchmarks.md; "auto" picks it too),
        # with a direct write for the invoice socket's frames.
        ws=WebSocketProtocol,
        timeout_graceful_shutdown=10,
        access_log=False,
        # Idle and half-sent connections are closed (server/core/connections.py).
        http=with_header_timeout(settings.http_header_timeout),
        timeout_keep_alive=max(1, round(settings.http_keep_alive)),
        # X-Forwarded-* only from the proxies named in TRUSTED_PROXIES: uvicorn's default trusts
        # 127.0.0.1, which let any client on the same host choose its address (and so dodge the
        # per-address sign-in throttle).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )
    server = HandOver(config)
    server.run()
    if not server.started:
        sys.exit(3)  # what uvicorn.run exits with when the app did not start


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        _serve(settings, args.host, args.port)
        return 0
    try:
        print(asyncio.run(_with_db(settings, args)))
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except AuditBroken as exc:
        print(exc)
        return 1
    return 0
