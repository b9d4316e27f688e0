"""Signing in: throttled credential and second-factor checks, then a session and its tokens;
refreshing those tokens and signing out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts, sessions, twofactor
from server.auth.access import Access, Principal
from server.auth.models import User
from server.auth.sessions import RefreshReused
from server.auth.throttle import Key, TooManyAttempts
from server.core.context import AppContext
from server.core.errors import Unauthorized

BAD_CREDENTIALS = "invalid email or password"
TOTP_REQUIRED = "totp_required"
TOTP_ENROLMENT_REQUIRED = twofactor.TOTP_ENROLMENT_REQUIRED


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    token_type: str = "bearer"


async def token_pair(
    ctx: AppContext, access: Access, db: AsyncSession, *, user_id: str, ip: str | None
) -> Tokens:
    """Start a session and answer with its access and refresh tokens (the caller commits)."""
    started = await sessions.start(
        db, user_id=user_id, ip=ip, ttl=access.settings.refresh_token_ttl
    )
    return tokens(ctx, access, started)


def tokens(ctx: AppContext, access: Access, started: sessions.Started) -> Tokens:
    return Tokens(
        access_token=ctx.signer.issue(started.session.user_id, session_id=started.session.id),
        expires_in=ctx.signer.ttl_seconds,
        refresh_token=started.refresh_token,
        refresh_expires_in=access.settings.refresh_token_ttl,
    )


async def check_password(
    ctx: AppContext,
    access: Access,
    db: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str | None,
) -> tuple[User, list[Key]]:
    """The user behind the credentials, throttled; the same 401 for unknown email and bad password.

    The attempt is counted (and committed) before the password is looked at, so parallel
    attempts cannot outrun the limits; a wrong password leaves it counted. On success the
    attempt is still open: the caller settles it with `throttle.success` or `throttle.release`,
    or lets a wrong second factor keep it counted.
    """
    keys = access.throttle.keys(email=email, ip=ip)
    try:
        await access.throttle.reserve(db, keys)
    except TooManyAttempts:
        audit.record(db, AuditKind.LOGIN_THROTTLED, actor_id=None, ip=ip, target=email)
        await db.commit()
        raise
    user = await accounts.authenticate(db, email=email, password=password)
    if user is None:
        await access.throttle.failed(db, keys)
        audit.record(
            db, AuditKind.LOGIN_FAILED, actor_id=None, ip=ip, target=email, detail="password"
        )
        await db.commit()
        raise Unauthorized(BAD_CREDENTIALS)
    return user, keys


async def check_code(
    access: Access,
    db: AsyncSession,
    *,
    user: User,
    code: str | None,
    keys: list[Key],
    ip: str | None,
) -> None:
    """Demand and check the second factor when the user has one.

    An organization's two-factor policy is not checked here: it suspends only that
    organization's resources until the user enrols (`twofactor.suspended_orgs`), so one
    organization can never lock a user out of the others.
    """
    if not await twofactor.enabled(db, user.id):
        return
    if not code:
        await access.throttle.release(db, keys)  # the password was right: not a failure
        await db.commit()
        raise Unauthorized(TOTP_REQUIRED)
    kind = await twofactor.verify(db, user.id, code, box=access.box)
    if kind is None:  # the attempt reserved for the password stays counted
        await access.throttle.failed(db, keys)
        audit.record(
            db, AuditKind.LOGIN_FAILED, actor_id=user.id, ip=ip, target=user.email, detail="2fa"
        )
        await db.commit()
        raise Unauthorized("invalid two-factor code")
    if kind == twofactor.CodeKind.RECOVERY:
        audit.record(db, AuditKind.RECOVERY_CODE_USED, actor_id=user.id, ip=ip)


async def sign_in(
    ctx: AppContext,
    access: Access,
    *,
    email: str,
    password: str,
    code: str | None,
    ip: str | None,
) -> Tokens:
    async with ctx.sessions() as db:
        user, keys = await check_password(ctx, access, db, email=email, password=password, ip=ip)
        await check_code(access, db, user=user, code=code, keys=keys, ip=ip)
        await access.throttle.success(db, keys)
        answer = await token_pair(ctx, access, db, user_id=user.id, ip=ip)
        audit.record(db, AuditKind.LOGIN_OK, actor_id=user.id, ip=ip, target=user.email)
        await db.commit()
    return answer


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    found: User | None = await db.scalar(select(User).where(User.email == email.strip().lower()))
    return found


async def refresh(ctx: AppContext, access: Access, *, refresh_token: str, ip: str | None) -> Tokens:
    """A new token pair for a refresh token, which stops working; using a rotated one again
    revokes its session (someone else holds a copy)."""
    async with ctx.sessions() as db:
        try:
            started = await sessions.rotate(
                db, refresh_token=refresh_token, ttl=access.settings.refresh_token_ttl
            )
        except RefreshReused as exc:
            audit.record(
                db,
                AuditKind.REFRESH_REUSED,
                actor_id=exc.session.user_id,
                ip=ip,
                detail="a rotated refresh token was used again: session revoked",
            )
            await db.commit()
            access.live.end_sessions([exc.session.id], "session revoked")
            raise Unauthorized("invalid or expired refresh token") from None
        await db.commit()
    return tokens(ctx, access, started)


async def sign_out(ctx: AppContext, access: Access, *, caller: Principal, ip: str | None) -> None:
    """End the caller's session, and close its open sockets."""
    async with ctx.sessions.begin() as db:
        await sessions.revoke(db, caller.session_id)
        audit.record(db, AuditKind.LOGOUT, actor_id=caller.user_id, ip=ip)
    access.live.end_sessions([caller.session_id], "signed out")
