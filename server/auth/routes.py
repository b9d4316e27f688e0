"""Authentication routes: sign-in, tokens, passwords, invitations, two-factor, `me`, first run."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from server.auth import enrolment, joining, passwords, profile, setup, signin
from server.auth.access import AuthState, Caller, OptionalCaller, Principal
from server.auth.enrolment import Who
from server.auth.schemas import (
    AcceptInvitation,
    ChangePassword,
    Confirm,
    Credentials,
    DisableTwoFactor,
    Enrolment,
    Login,
    Me,
    MyInvitation,
    MyInvitations,
    RecoveryCodes,
    Refresh,
    RenewRecoveryCodes,
    Setup,
    SetupDone,
    SetupState,
    TokenPair,
)
from server.core.api import Ctx, client_ip, errors
from server.core.errors import Unauthorized

# A body without a content-type is read as JSON, as the API always did (FastAPI's default is to
# refuse it); bearer tokens authenticate, and the one cookie (the refresh token) is SameSite=Strict
# and read only by /api/auth/refresh, so this opens no cross-site request.
router = APIRouter(tags=["auth"])


# The browser's refresh token: httpOnly (no script can read it), SameSite=Strict (no other site
# can make the browser send it), scoped to /api/auth (only refresh and logout see it), Secure
# whenever the request came over https. docs/security.md, "Tokens".
REFRESH_COOKIE = "cofacture_refresh"
REFRESH_COOKIE_PATH = "/api/auth"


def _keep_refresh(request: Request, response: Response, tokens: TokenPair) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=tokens.refresh_expires_in,
        path=REFRESH_COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


@router.post(
    "/api/auth/login",
    response_model=TokenPair,
    responses=errors(400, 401, 403, 429),
    summary="Sign in with email, password and (when due) a second factor",
    description="401 `invalid email or password` for an unknown email and a wrong password "
    "alike; 401 `totp_required` when a second factor is due (send it as `totp`). The refresh "
    "token is answered in the body (for non-browser clients) and set as the httpOnly cookie "
    "`cofacture_refresh` (for the browser app).",
)
async def login(
    body: Login, ctx: Ctx, access: AuthState, request: Request, response: Response
) -> TokenPair:
    tokens = await signin.sign_in(
        ctx,
        access,
        email=body.email,
        password=body.password,
        code=body.totp,
        ip=client_ip(request),
    )
    answer = TokenPair.model_validate(tokens, from_attributes=True)
    _keep_refresh(request, response, answer)
    return answer


@router.post(
    "/api/auth/refresh",
    response_model=TokenPair,
    responses=errors(400, 401),
    summary="A new token pair; the refresh token sent stops working",
    description="The refresh token comes from the body, or else from the `cofacture_refresh` "
    "cookie (the browser app sends no body).",
)
async def refresh(
    ctx: Ctx, access: AuthState, request: Request, response: Response, body: Refresh | None = None
) -> TokenPair:
    sent = body.refresh_token if body else request.cookies.get(REFRESH_COOKIE, "")
    if not sent:
        raise Unauthorized("missing refresh token")
    tokens = await signin.refresh(ctx, access, refresh_token=sent, ip=client_ip(request))
    answer = TokenPair.model_validate(tokens, from_attributes=True)
    _keep_refresh(request, response, answer)
    return answer


@router.post(
    "/api/auth/logout",
    status_code=204,
    response_class=Response,
    responses=errors(401),
    summary="End the caller's session (and forget the refresh cookie)",
)
async def logout(caller: Caller, ctx: Ctx, access: AuthState, request: Request) -> Response:
    await signin.sign_out(ctx, access, caller=caller, ip=client_ip(request))
    done = Response(status_code=204)
    done.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return done


@router.post(
    "/api/auth/password",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401, 429),
    summary="Change one's password; every session of the user ends",
)
async def change_password(
    body: ChangePassword, caller: Caller, ctx: Ctx, access: AuthState, request: Request
) -> Response:
    await passwords.change_password(
        ctx,
        access,
        user_id=caller.user_id,
        current=body.current_password,
        new=body.new_password,
        ip=client_ip(request),
    )
    return Response(status_code=204)


@router.post(
    "/api/auth/accept-invitation",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401, 409, 429),
    summary="Accept an invitation with its token",
    description="A new person sets their first password (which creates the account); a person "
    "with an account gives their password (401 `invalid email or password` if wrong, throttled "
    "like a sign-in). 400 `invalid or expired invitation` for a used, expired or unknown token.",
)
async def accept_invitation(
    body: AcceptInvitation, ctx: Ctx, access: AuthState, request: Request
) -> Response:
    await joining.accept_with_token(
        ctx, access, token=body.token, password=body.password, ip=client_ip(request)
    )
    return Response(status_code=204)


@router.get(
    "/api/me/invitations",
    response_model=MyInvitations,
    responses=errors(401),
    summary="The caller's pending invitations to organizations",
)
async def my_invitations(caller: Caller, ctx: Ctx) -> MyInvitations:
    found = await joining.mine(ctx, caller)
    return MyInvitations(
        items=[MyInvitation.model_validate(i, from_attributes=True) for i in found]
    )


@router.post(
    "/api/me/invitations/{invitation_id}/accept",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401),
    summary="Accept one of the caller's invitations: they become a member with its role",
)
async def accept_mine(invitation_id: str, caller: Caller, ctx: Ctx, request: Request) -> Response:
    await joining.answer(ctx, caller, invitation_id, accept=True, ip=client_ip(request))
    return Response(status_code=204)


@router.post(
    "/api/me/invitations/{invitation_id}/decline",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401),
    summary="Decline one of the caller's invitations",
)
async def decline_mine(invitation_id: str, caller: Caller, ctx: Ctx, request: Request) -> Response:
    await joining.answer(ctx, caller, invitation_id, accept=False, ip=client_ip(request))
    return Response(status_code=204)


# -- two-factor ---------------------------------------------------------------------------------


@router.post(
    "/api/auth/2fa/enroll",
    response_model=Enrolment,
    responses=errors(400, 401, 409, 429),
    summary="Start a two-factor enrolment: a fresh secret and its QR code",
    description="With a bearer token, or `email` and `password` for a user who must enrol "
    "before getting a token.",
)
async def enroll(
    caller: OptionalCaller,
    ctx: Ctx,
    access: AuthState,
    request: Request,
    body: Credentials | None = None,
) -> Enrolment:
    who = _who(caller, body, request)
    found = await enrolment.enroll(ctx, access, who)
    return Enrolment(secret=found.secret, otpauth_uri=found.uri, qr_svg=found.qr_svg)


@router.post(
    "/api/auth/2fa/confirm",
    response_model=RecoveryCodes,
    responses=errors(400, 401, 409, 429),
    summary="Turn two-factor on with a first code; answers the recovery codes, once",
)
async def confirm(
    body: Confirm, caller: OptionalCaller, ctx: Ctx, access: AuthState, request: Request
) -> RecoveryCodes:
    who = _who(caller, body, request)
    codes = await enrolment.confirm(ctx, access, who, code=body.code)
    return RecoveryCodes(recovery_codes=codes)


@router.post(
    "/api/auth/2fa/disable",
    status_code=204,
    response_class=Response,
    responses=errors(400, 401, 409, 429),
    summary="Turn two-factor off with a fresh code (or a recovery code)",
)
async def disable(
    body: DisableTwoFactor, caller: Caller, ctx: Ctx, access: AuthState, request: Request
) -> Response:
    await enrolment.disable(
        ctx, access, user_id=caller.user_id, code=body.code, ip=client_ip(request)
    )
    return Response(status_code=204)


@router.post(
    "/api/auth/2fa/recovery-codes",
    response_model=RecoveryCodes,
    responses=errors(400, 401, 409, 429),
    summary="New recovery codes for a fresh code; the old ones stop working; answered once",
)
async def renew_recovery_codes(
    body: RenewRecoveryCodes, caller: Caller, ctx: Ctx, access: AuthState, request: Request
) -> RecoveryCodes:
    codes = await enrolment.regenerate_codes(
        ctx, access, user_id=caller.user_id, code=body.code, ip=client_ip(request)
    )
    return RecoveryCodes(recovery_codes=codes)


def _who(caller: Principal | None, body: Credentials | None, request: Request) -> Who:
    email, password = (body.email, body.password) if body else (None, None)
    return Who(caller, email=email, password=password, ip=client_ip(request))


# -- the caller, and the first run ------------------------------------------------------------


@router.get(
    "/api/me",
    response_model=Me,
    responses=errors(401),
    summary="The caller: account, second factor, memberships and their capabilities",
)
async def me(caller: Caller, ctx: Ctx) -> Me:
    found = await profile.profile(ctx, caller.user_id)
    return Me.model_validate(found, from_attributes=True)


@router.get(
    "/api/setup",
    response_model=SetupState,
    summary="Whether the first-run setup is still to be done (no user exists yet)",
)
async def setup_state(ctx: Ctx) -> SetupState:
    return SetupState(needed=await setup.needed(ctx))


@router.post(
    "/api/setup",
    status_code=201,
    response_model=SetupDone,
    responses=errors(400, 403),
    summary="First run: create the first organization and its administrator",
    description="Only on a database without any user, atomically; 403 afterwards.",
)
async def first_run(body: Setup, ctx: Ctx, request: Request) -> SetupDone:
    done = await setup.first_run(
        ctx,
        organization=body.organization,
        name=body.name,
        email=body.email,
        password=body.password,
        ip=client_ip(request),
    )
    return SetupDone.model_validate(done, from_attributes=True)
