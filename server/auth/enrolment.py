"""Turning two-factor authentication on and off: the throttled, audited steps behind the routes.

Enrolment works with a bearer token, or (for a user an organization obliges to enrol before they
may get a token) with the email and password, checked and throttled like a sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import signin, twofactor
from server.auth.access import Access, Principal
from server.auth.models import User
from server.auth.passwords import user as user_by_id
from server.auth.throttle import Key
from server.core.context import AppContext
from server.core.errors import BadRequest, Conflict, Unauthorized


@dataclass(frozen=True, slots=True)
class Who:
    """Who asks: the bearer, else the credentials sent in the body."""

    caller: Principal | None
    email: str | None = None
    password: str | None = None
    ip: str | None = None


async def _user(ctx: AppContext, access: Access, db: AsyncSession, who: Who) -> User:
    if who.caller is not None:
        return await user_by_id(db, who.caller.user_id)
    if who.email is None:
        raise Unauthorized("send a bearer token, or `email` and `password`")
    if who.password is None:
        raise BadRequest("`password` is required")
    found, keys = await signin.check_password(
        ctx, access, db, email=who.email, password=who.password, ip=who.ip
    )
    await access.throttle.success(db, keys)
    await db.commit()
    return found


async def enroll(ctx: AppContext, access: Access, who: Who) -> twofactor.Enrolment:
    """A fresh secret; it counts once confirmed with a first code."""
    for attempt in range(2):
        async with ctx.sessions() as db:
            found = await _user(ctx, access, db, who)
            enrolment = await twofactor.enroll(
                db, found, box=access.box, issuer=access.settings.totp_issuer
            )
            try:
                await db.commit()
            except IntegrityError:
                # Two first enrolments at once both inserted the credential row; the loser
                # starts again and now replaces the winner's secret (the last one shown counts).
                if attempt:
                    raise
                continue
        return enrolment
    raise AssertionError("unreachable")


async def confirm(ctx: AppContext, access: Access, who: Who, *, code: str) -> list[str]:
    """Turn two-factor on with a first code; answer the recovery codes (shown once)."""
    async with ctx.sessions() as db:
        found = await _user(ctx, access, db, who)
        keys = access.throttle.keys(email=found.email, ip=who.ip)
        await access.throttle.reserve(db, keys)
        try:
            codes = await twofactor.confirm(db, found.id, code, box=access.box)
        except BadRequest:
            await _count_failure(access, db, keys, found, who.ip)
            raise
        except Conflict:
            await access.throttle.release(db, keys)
            await db.commit()
            raise
        await access.throttle.success(db, keys)
        audit.record(db, AuditKind.TOTP_ENROLLED, actor_id=found.id, ip=who.ip, target=found.email)
        await db.commit()
    return codes


async def disable(
    ctx: AppContext, access: Access, *, user_id: str, code: str, ip: str | None
) -> None:
    """Turn two-factor off with a fresh code, unless an organization makes it mandatory."""
    async with ctx.sessions() as db:
        found = await user_by_id(db, user_id)
        if not await twofactor.enabled(db, found.id):
            raise Conflict("two-factor authentication is not enabled")
        if orgs := await twofactor.required_by(db, found.id):
            names = ", ".join(sorted(orgs.values()))
            raise Conflict(f"two-factor authentication is mandatory for you in {names}")
        keys = access.throttle.keys(email=found.email, ip=ip)
        await access.throttle.reserve(db, keys)
        if await twofactor.verify(db, found.id, code, box=access.box) is None:
            await _count_failure(access, db, keys, found, ip)
            raise BadRequest("invalid two-factor code")
        await access.throttle.success(db, keys)
        await twofactor.disable(db, found.id)
        audit.record(db, AuditKind.TOTP_DISABLED, actor_id=found.id, ip=ip, target=found.email)
        await db.commit()


async def regenerate_codes(
    ctx: AppContext, access: Access, *, user_id: str, code: str, ip: str | None
) -> list[str]:
    """New recovery codes for a fresh code (a TOTP code, or one of the old recovery codes):
    the old ones stop working. The code is used up like a sign-in's, so of two requests sent
    with one code only one gets codes."""
    async with ctx.sessions() as db:
        found = await user_by_id(db, user_id)
        if not await twofactor.enabled(db, found.id):
            raise Conflict("two-factor authentication is not enabled")
        keys = access.throttle.keys(email=found.email, ip=ip)
        await access.throttle.reserve(db, keys)
        if await twofactor.verify(db, found.id, code, box=access.box) is None:
            await _count_failure(access, db, keys, found, ip)
            raise BadRequest("invalid two-factor code")
        await access.throttle.success(db, keys)
        codes = await twofactor.new_recovery_codes(db, found.id)
        audit.record(
            db, AuditKind.TOTP_RECOVERY_RENEWED, actor_id=found.id, ip=ip, target=found.email
        )
        await db.commit()
        return codes


async def _count_failure(
    access: Access, db: AsyncSession, keys: list[Key], user: User, ip: str | None
) -> None:
    """Record a wrong code (its attempt was counted when reserved) before the caller raises."""
    await access.throttle.failed(db, keys)
    audit.record(
        db, AuditKind.LOGIN_FAILED, actor_id=user.id, ip=ip, target=user.email, detail="code"
    )
    await db.commit()
