"""What the access-control routes share, and the one place a bearer token becomes a caller.

`SessionCheckMiddleware` refuses, before any handler runs, a request whose bearer token is
forged, expired or belongs to a revoked session; handlers then read `principal(request)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import sessions
from server.auth.live import LiveAccess
from server.auth.throttle import Throttle
from server.auth.totp import SecretBox
from server.core.api import client_ip, ctx_of
from server.core.context import AppContext
from server.core.errors import Unauthorized
from server.core.settings import AccessSettings
from server.core.tokens import InvalidToken

_PRINCIPAL = "cofacture.principal"


@dataclass
class Access:
    settings: AccessSettings
    live: LiveAccess
    box: SecretBox
    throttle: Throttle
    oidc: Any | None  # authlib's Starlette client when single sign-on is configured


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    session_id: str


def access_of(conn: HTTPConnection) -> Access:
    found: Access = conn.app.state.access
    return found


AuthState = Annotated[Access, Depends(access_of)]  # a handler's view of auth's resources


async def authenticate(ctx: AppContext, live: LiveAccess, token: str) -> Principal:
    """The caller of a token; Unauthorized if forged, expired or of a revoked session."""
    try:
        claims = ctx.signer.verify(token)
    except InvalidToken:
        raise Unauthorized("invalid or expired token") from None
    if live.revoked(claims.session_id):
        raise Unauthorized("this session has ended; sign in again")
    async with ctx.sessions() as db:
        active = await sessions.is_active(db, session_id=claims.session_id, user_id=claims.user_id)
    if not active:
        raise Unauthorized("this session has ended; sign in again")
    return Principal(claims.user_id, claims.session_id)


def principal(request: Request) -> Principal:
    """The authenticated caller (checked by the middleware); 401 when there is no token."""
    found: Principal | None = request.scope.get(_PRINCIPAL)
    if found is None:
        raise Unauthorized("missing bearer token")
    return found


def optional_principal(request: Request) -> Principal | None:
    found: Principal | None = request.scope.get(_PRINCIPAL)
    return found


# Declares the bearer scheme in OpenAPI; the token itself was checked by the middleware.
_bearer = HTTPBearer(auto_error=False, description="an access token from /api/auth/login")


def _caller(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    return principal(request)


def _optional_caller(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    return optional_principal(request)


Caller = Annotated[Principal, Depends(_caller)]  # the authenticated caller of a route
# The caller when a bearer token was sent (routes that also serve anonymous requests).
OptionalCaller = Annotated[Principal | None, Depends(_optional_caller)]


class SessionCheckMiddleware:
    """Authenticate every HTTP request that carries a bearer token, in one place."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            conn = HTTPConnection(scope)
            header = conn.headers.get("authorization", "")
            if header:
                if not header.lower().startswith("bearer "):
                    await _reject(send, "use `Authorization: Bearer <token>`")
                    return
                try:
                    scope[_PRINCIPAL] = await authenticate(
                        ctx_of(conn), access_of(conn).live, header[7:].strip()
                    )
                except Unauthorized as exc:
                    await _reject(send, exc.message)
                    return
        await self.app(scope, receive, send)


async def _reject(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b"Bearer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def audit_denied(conn: HTTPConnection, message: str, *, status: int) -> None:
    """Record a refused request (called for every 403, in one place: server/app.py)."""
    found: Principal | None = conn.scope.get(_PRINCIPAL)
    async with ctx_of(conn).sessions.begin() as db:
        audit.record(
            db,
            AuditKind.ACCESS_DENIED,
            actor_id=found.user_id if found else None,
            ip=client_ip(conn),
            target=f"{conn.scope.get('method', 'WS')} {conn.url.path}",
            org_id=conn.path_params.get("org"),
            detail=f"{status}: {message}",
        )
