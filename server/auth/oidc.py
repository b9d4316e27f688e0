"""Optional single sign-on with OpenID Connect (authlib's Starlette client).

Configured by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET. A user signs in when the
provider vouches for an email that is verified and belongs to an existing Cofacture user with at
least one membership; nobody is created. A user who has (or must have) a second factor signs in
this way only if the id token's `amr` says the provider checked one.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, signin, twofactor
from server.auth.access import access_of
from server.auth.models import User
from server.core.api import client_ip, ctx_of
from server.core.errors import Forbidden, NotFound, Unauthorized
from server.core.settings import AccessSettings

log = logging.getLogger(__name__)

_NAME = "oidc"
# RFC 8176 methods that mean the provider checked a second factor.
_MULTI_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face"})


def client(settings: AccessSettings) -> Any | None:
    """authlib's client for the configured provider, or None when single sign-on is off."""
    if settings.oidc_issuer is None:
        return None
    oauth = OAuth()
    oauth.register(
        _NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )
    return oauth.create_client(_NAME)


def _client(request: Request) -> Any:
    found = access_of(request).oidc
    if found is None:
        raise NotFound("single sign-on is not configured")
    return found


async def start(request: Request) -> Response:
    """Redirect the browser to the provider (the state and nonce go in a signed cookie)."""
    oidc = _client(request)
    redirect_uri = str(request.url_for("oidc_callback"))
    try:
        response: Response = await oidc.authorize_redirect(request, redirect_uri)
    except (OAuthError, OSError, ValueError) as exc:
        log.warning("OpenID provider unreachable: %s", exc)
        raise Unauthorized("single sign-on is unavailable right now") from None
    return response


async def callback(request: Request) -> JSONResponse:
    oidc = _client(request)
    try:
        token = await oidc.authorize_access_token(request)
    except (OAuthError, OSError, ValueError, KeyError, TypeError) as exc:
        log.info("single sign-on refused: %s", exc)
        raise Unauthorized("single sign-on failed") from None
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    ctx, access, ip = ctx_of(request), access_of(request), client_ip(request)
    async with ctx.sessions() as db:
        user = await _matching_user(db, claims, ip)
        if await twofactor.enabled(db, user.id) or await twofactor.required_by(db, user.id):
            amr = claims.get("amr")
            if not (isinstance(amr, list) and _MULTI_FACTOR_AMR & {str(a) for a in amr}):
                raise Forbidden(signin.TOTP_REQUIRED)
        answer = await signin.token_pair(ctx, access, db, user_id=user.id, ip=ip)
        audit.record(
            db, AuditKind.LOGIN_OK, actor_id=user.id, ip=ip, target=user.email, detail="oidc"
        )
        await db.commit()
    return JSONResponse(answer)


async def _matching_user(db: AsyncSession, claims: dict[str, Any], ip: str | None) -> User:
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise Forbidden("the provider did not vouch for a verified email")
    user = await signin.user_by_email(db, email)
    if user is None or not await accounts.memberships(db, user.id):
        audit.record(
            db, AuditKind.LOGIN_FAILED, actor_id=None, ip=ip, target=email, detail="oidc: no member"
        )
        await db.commit()
        raise Forbidden("no Cofacture membership for this email")
    return user


routes = [
    Route("/api/auth/oidc/login", start, methods=["GET"], name="oidc_login"),
    Route("/api/auth/oidc/callback", callback, methods=["GET"], name="oidc_callback"),
]
