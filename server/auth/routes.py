"""Authentication routes: login, refresh, logout, password, invitations, two-factor, `me`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, invitations, sessions, signin, twofactor
from server.auth.access import (
    access_of,
    json_body,
    optional_principal,
    optional_text,
    principal,
    text,
)
from server.auth.models import Invitation, Organization, User
from server.auth.permissions import ROLE_CAPABILITIES
from server.auth.security import hash_password
from server.auth.sessions import RefreshReused
from server.auth.throttle import Key, Throttle
from server.core.api import client_ip, ctx_of
from server.core.errors import BadRequest, Conflict, NotFound, Unauthorized


async def login(request: Request) -> JSONResponse:
    data = await json_body(request)
    email, password = text(data, "email"), text(data, "password")
    code = optional_text(data, "totp", max_length=20)
    answer = await signin.sign_in(
        ctx_of(request),
        access_of(request),
        email=email,
        password=password,
        code=code,
        ip=client_ip(request),
    )
    return JSONResponse(answer)


async def refresh(request: Request) -> JSONResponse:
    data = await json_body(request)
    token = text(data, "refresh_token", max_length=200)
    ctx, access = ctx_of(request), access_of(request)
    async with ctx.sessions() as db:
        try:
            started = await sessions.rotate(
                db, refresh_token=token, ttl=access.settings.refresh_token_ttl
            )
        except RefreshReused as exc:
            audit.record(
                db,
                AuditKind.REFRESH_REUSED,
                actor_id=exc.session.user_id,
                ip=client_ip(request),
                detail="a rotated refresh token was used again: session revoked",
            )
            await db.commit()
            access.live.end_sessions([exc.session.id], "session revoked")
            raise Unauthorized("invalid or expired refresh token") from None
        user_id = started.session.user_id
        if not await twofactor.enabled(db, user_id) and await twofactor.required_by(db, user_id):
            await sessions.revoke(db, started.session.id)
            await db.commit()
            raise Unauthorized(signin.TOTP_ENROLMENT_REQUIRED)
        await db.commit()
    return JSONResponse(signin.tokens(ctx, access, started))


async def logout(request: Request) -> Response:
    caller = principal(request)
    ctx = ctx_of(request)
    async with ctx.sessions.begin() as db:
        await sessions.revoke(db, caller.session_id)
        audit.record(db, AuditKind.LOGOUT, actor_id=caller.user_id, ip=client_ip(request))
    access_of(request).live.end_sessions([caller.session_id], "signed out")
    return Response(status_code=204)


async def change_password(request: Request) -> Response:
    caller = principal(request)
    data = await json_body(request)
    current, new = text(data, "current_password"), text(data, "new_password")
    ctx, access = ctx_of(request), access_of(request)
    ip = client_ip(request)
    async with ctx.sessions() as db:
        user = await _user(db, caller.user_id)
        await signin.check_password(ctx, access, db, email=user.email, password=current, ip=ip)
        _check_new_password(new)
        user.password_hash = hash_password(new)
        ended = await sessions.revoke_all(db, user.id)
        audit.record(db, AuditKind.PASSWORD_CHANGED, actor_id=user.id, ip=ip, target=user.email)
        await db.commit()
    access.live.end_sessions(ended, "password changed; sign in again")
    return Response(status_code=204)


async def accept_invitation(request: Request) -> Response:
    data = await json_body(request)
    token, password = text(data, "token", max_length=200), text(data, "password")
    _check_new_password(password)
    async with ctx_of(request).sessions() as db:
        invitation = await db.scalar(
            select(Invitation).where(Invitation.token_hash == invitations.token_hash(token))
        )
        if invitation is None or invitations.expired(invitation):
            raise BadRequest("invalid or expired invitation")
        user = await _user(db, invitation.user_id)
        user.password_hash = hash_password(password)
        await db.execute(delete(Invitation).where(Invitation.user_id == user.id))
        await db.commit()
    return Response(status_code=204)


# -- two-factor ------------------------------------------------------------------------------


async def _enrolling_user(request: Request, db: AsyncSession, data: dict[str, Any]) -> User:
    """The bearer's user, or (before any token: mandatory enrolment) the user of `email` and
    `password` in the body, checked and throttled like a login."""
    caller = optional_principal(request)
    if caller is not None:
        return await _user(db, caller.user_id)
    if "email" not in data:
        raise Unauthorized("send a bearer token, or `email` and `password`")
    user, _ = await signin.check_password(
        ctx_of(request),
        access_of(request),
        db,
        email=text(data, "email"),
        password=text(data, "password"),
        ip=client_ip(request),
    )
    return user


async def enroll(request: Request) -> JSONResponse:
    data = await json_body(request)
    access = access_of(request)
    async with ctx_of(request).sessions() as db:
        user = await _enrolling_user(request, db, data)
        enrolment = await twofactor.enroll(
            db, user, box=access.box, issuer=access.settings.totp_issuer
        )
        await db.commit()
    return JSONResponse(
        {"secret": enrolment.secret, "otpauth_uri": enrolment.uri, "qr_svg": enrolment.qr_svg}
    )


async def confirm(request: Request) -> JSONResponse:
    data = await json_body(request)
    code = text(data, "code", max_length=20)
    access, ip = access_of(request), client_ip(request)
    async with ctx_of(request).sessions() as db:
        user = await _enrolling_user(request, db, data)
        keys = access.throttle.keys(email=user.email, ip=ip)
        await access.throttle.check(db, keys)
        try:
            codes = await twofactor.confirm(db, user.id, code, box=access.box)
        except BadRequest:
            await _count_failure(access.throttle, db, keys, user, ip)
            raise
        audit.record(db, AuditKind.TOTP_ENROLLED, actor_id=user.id, ip=ip, target=user.email)
        await db.commit()
    return JSONResponse({"recovery_codes": codes})


async def disable(request: Request) -> Response:
    caller = principal(request)
    data = await json_body(request)
    code = text(data, "code", max_length=20)
    access, ip = access_of(request), client_ip(request)
    async with ctx_of(request).sessions() as db:
        user = await _user(db, caller.user_id)
        if not await twofactor.enabled(db, user.id):
            raise Conflict("two-factor authentication is not enabled")
        if orgs := await twofactor.required_by(db, user.id):
            raise Conflict(f"two-factor authentication is mandatory for you in {', '.join(orgs)}")
        keys = access.throttle.keys(email=user.email, ip=ip)
        await access.throttle.check(db, keys)
        if await twofactor.verify(db, user.id, code, box=access.box) is None:
            await _count_failure(access.throttle, db, keys, user, ip)
            raise BadRequest("invalid two-factor code")
        await twofactor.disable(db, user.id)
        audit.record(db, AuditKind.TOTP_DISABLED, actor_id=user.id, ip=ip, target=user.email)
        await db.commit()
    return Response(status_code=204)


async def me(request: Request) -> JSONResponse:
    caller = principal(request)
    async with ctx_of(request).sessions() as db:
        user = await _user(db, caller.user_id)
        members = await accounts.memberships(db, user.id)
        names = {
            o.id: o.name
            for o in await db.scalars(
                select(Organization).where(Organization.id.in_([m.org_id for m in members]))
            )
        }
        body = {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "totp_enabled": await twofactor.enabled(db, user.id),
            "recovery_codes_left": await twofactor.unused_recovery_codes(db, user.id),
            "memberships": [
                {
                    "org_id": m.org_id,
                    "org_name": names.get(m.org_id, ""),
                    "role": m.role.value,
                    "capabilities": sorted(c.value for c in ROLE_CAPABILITIES[m.role]),
                }
                for m in members
            ],
        }
    return JSONResponse(body)


# -- helpers ---------------------------------------------------------------------------------


async def _user(db: AsyncSession, user_id: str) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


async def _count_failure(
    throttle: Throttle, db: AsyncSession, keys: list[Key], user: User, ip: str | None
) -> None:
    """Count a wrong code and commit it before the caller raises (so that it counts)."""
    await throttle.failure(db, keys)
    audit.record(
        db, AuditKind.LOGIN_FAILED, actor_id=user.id, ip=ip, target=user.email, detail="code"
    )
    await db.commit()


def _check_new_password(password: str) -> None:
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password must have at least {accounts.MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1000:
        raise BadRequest("password must have at most 1000 characters")


routes = [
    Route("/api/auth/login", login, methods=["POST"]),
    Route("/api/auth/refresh", refresh, methods=["POST"]),
    Route("/api/auth/logout", logout, methods=["POST"]),
    Route("/api/auth/password", change_password, methods=["POST"]),
    Route("/api/auth/accept-invitation", accept_invitation, methods=["POST"]),
    Route("/api/auth/2fa/enroll", enroll, methods=["POST"]),
    Route("/api/auth/2fa/confirm", confirm, methods=["POST"]),
    Route("/api/auth/2fa/disable", disable, methods=["POST"]),
    Route("/api/me", me, methods=["GET"]),
]
