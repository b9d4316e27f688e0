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
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, signin, twofactor
from server.auth.access import Access, AuthState
from server.auth.models import User
from server.auth.schemas import TokenPair
from server.core.api import Ctx, client_ip, errors
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


def _client(access: Access) -> Any:
    if access.oidc is None:
        raise NotFound("single sign-on is not configured")
    return access.oidc


router = APIRouter(prefix="/api/auth/oidc", tags=["auth"])


@router.get(
    "/login",
    name="oidc_login",
    status_code=302,
    response_class=RedirectResponse,
    responses={
        302: {"description": "To the provider's sign-in page"},
        **errors(401, 404),
    },
    summary="Single sign-on: redirect the browser to the OpenID provider",
    description="The state and nonce go in a signed cookie. 404 when single sign-on is not "
    "configured, 401 when the provider cannot be reached.",
)
async def start(request: Request, access: AuthState) -> Response:
    oidc = _client(access)
    redirect_uri = str(request.url_for("oidc_callback"))
    try:
        response: Response = await oidc.authorize_redirect(request, redirect_uri)
    except (OAuthError, OSError, ValueError) as exc:
        log.warning("OpenID provider unreachable: %s", exc)
        raise Unauthorized("single sign-on is unavailable right now") from None
    return response


@router.get(
    "/callback",
    name="oidc_callback",
    response_model=TokenPair,
    responses=errors(401, 403, 404),
    summary="Where the provider sends the browser back: answers a token pair",
    description="The provider's query (`code`, `state`, ...) is read by the OpenID client. "
    "403 when the email is not verified or belongs to no member, or when a second factor is "
    "due and the provider's `amr` shows none.",
)
async def callback(request: Request, ctx: Ctx, access: AuthState) -> TokenPair:
    oidc = _client(access)
    try:
        token = await oidc.authorize_access_token(request)
    except (OAuthError, OSError, ValueError, KeyError, TypeError) as exc:
        log.info("single sign-on refused: %s", exc)
        raise Unauthorized("single sign-on failed") from None
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    ip = client_ip(request)
    async with ctx.sessions() as db:
        user = await _matching_user(db, claims, ip)
        # An organization's policy never refuses sign-in (it suspends only that organization's
        # resources until the user enrols); a user with a second factor needs the provider's.
        if await twofactor.enabled(db, user.id):
            amr = claims.get("amr")
            if not (isinstance(amr, list) and _MULTI_FACTOR_AMR & {str(a) for a in amr}):
                raise Forbidden(signin.TOTP_REQUIRED)
        tokens = await signin.token_pair(ctx, access, db, user_id=user.id, ip=ip)
        audit.record(
            db, AuditKind.LOGIN_OK, actor_id=user.id, ip=ip, target=user.email, detail="oidc"
        )
        await db.commit()
    return TokenPair.model_validate(tokens, from_attributes=True)


async def _matching_user(db: AsyncSession, claims: dict[str, Any], ip: str | None) -> User:
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise Forbidden("the provider did not vouch for a verified email")
    user = await signin.user_by_email(db, email)
    if user is None or not await accounts.memberships(db, user.id, every=True):
        audit.record(
            db, AuditKind.LOGIN_FAILED, actor_id=None, ip=ip, target=email, detail="oidc: no member"
        )
        await db.commit()
        raise Forbidden("no Cofacture membership for this email")
    return user
