"""What the access-control routes share, and the one place a bearer token becomes a caller.

`SessionCheckMiddleware` refuses, before any handler runs, a request whose bearer token is
forged, expired or belongs to a revoked session; handlers then read `principal(request)`.

A bearer `cof_...` is an organization's API token (api_tokens.py): the caller is the admin who
created it, narrowed to what its scopes grant (grants.py) for the length of the request, which
is audited once. Such a token is refused on sign-in, session, 2FA and profile endpoints (they
are a person's, not a tool's), and a token without a write scope may only read. The WebSocket
handshake (sockets.py) never reads this header, and refuses API tokens in its query string.
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
from server.auth import api_tokens, grants, sessions
from server.auth.grants import Grant
from server.auth.live import LiveAccess
from server.auth.throttle import Throttle
from server.auth.totp import SecretBox
from server.core.api import client_ip, ctx_of
from server.core.attribution import acting_via
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
    session_id: str  # for an API token: "token:<its id>"
    token: Grant | None = None  # the API token the request is made with, if any


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
_bearer = HTTPBearer(
    auto_error=False,
    description="an access token from /api/auth/login, or an organization's API token (cof_...)",
)


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
                if api_tokens.is_api_token(header[7:].strip()):
                    await _with_api_token(self.app, scope, receive, send, header[7:].strip())
                    return
                try:
                    scope[_PRINCIPAL] = await authenticate(
                        ctx_of(conn), access_of(conn).live, header[7:].strip()
                    )
                except Unauthorized as exc:
                    await _reject(send, exc.message)
                    return
        await self.app(scope, receive, send)


# A person's own endpoints: an API token is a tool's credential and never reaches them.
_PERSONAL = ("/api/auth", "/api/me", "/api/setup")


def _personal(path: str) -> bool:
    return any(path == p or path.startswith(f"{p}/") for p in _PERSONAL)


async def _with_api_token(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, token: str
) -> None:
    """Serve a request made with an API token: authenticated, narrowed, audited once."""
    conn = HTTPConnection(scope)
    ctx, method, path = ctx_of(conn), scope["method"], conn.url.path
    try:
        grant = await api_tokens.authenticate(ctx, token, method=method)
    except Unauthorized as exc:
        await _reject(send, exc.message)
        return
    scope[_PRINCIPAL] = Principal(grant.user_id, f"token:{grant.token_id}", grant)
    audited = False

    async def send_audited(message: Any) -> None:
        nonlocal audited
        if message["type"] == "http.response.start" and not audited:
            # Written before the answer leaves: a client that saw it can read the event.
            audited = True
            await api_tokens.record_use(
                ctx, grant, method=method, path=path, status=message["status"], ip=client_ip(conn)
            )
        await send(message)

    with grants.acting(grant), acting_via(f"token {grant.name}"):
        refusal = _refusal(grant, method, path)
        if refusal is not None:
            await audit_denied(conn, refusal, status=403)
            await _reject(send_audited, refusal, status=403)
            return
        try:
            await app(scope, receive, send_audited)
        except BaseException:
            if not audited:  # the server error middleware answers 500 outside this one
                await api_tokens.record_use(
                    ctx, grant, method=method, path=path, status=500, ip=client_ip(conn)
                )
            raise


def _refusal(grant: Grant, method: str, path: str) -> str | None:
    if _personal(path):
        return "an API token cannot be used on sign-in, session or profile endpoints"
    if method.upper() not in grants.SAFE_METHODS and not grants.writes(grant.scopes):
        return "this API token is read-only (scope `read`): it cannot change anything"
    return None


async def _reject(send: Send, message: str, *, status: int = 401) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
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
            # A token's refusal belongs to its organization's log even on a path without one.
            org_id=conn.path_params.get("org")
            or (found.token.org_id if found and found.token else None),
            detail=f"{status}: {message}",
        )
