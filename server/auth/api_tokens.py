"""API tokens of an organization: their secret's format, their management by admins, and
recognising one on a request (server/auth/access.py calls `authenticate` and `record_use`).

A token is `cof_` + 40 random base62 characters (238 bits) + a 6-character CRC-32 checksum,
like GitHub's tokens: secret scanners recognise the prefix, and a token damaged by a bad copy
is refused as malformed without touching the database. Only its SHA-256 is stored: a fast
hash is right for a high-entropy secret checked on every request (a password hash would cost
tens of milliseconds per call and add nothing against guessing 238 bits). Hashing 50 bytes
takes about a microsecond, so it stays on the event loop.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import grants, members
from server.auth.grants import Grant, Scope
from server.auth.models import ApiToken, Membership, User
from server.auth.permissions import Capability
from server.core.context import AppContext
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized

PREFIX = "cof_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY, _CHECK = 40, 6
TOKEN_LENGTH = len(PREFIX) + _BODY + _CHECK
SHOWN_PREFIX = len(PREFIX) + 8  # kept in clear to tell tokens apart: 191 secret bits remain
MAX_ACTIVE = 100  # per organization: a bound on what an admin (or a script gone wrong) can pile up
MAX_NAME = 80
MAX_DAYS = 1825  # five years: an expiry further away is no expiry
# The last-used time is written at most once a minute per token: every request is audited
# anyway, and a write per call on the token's row would make it the busiest row of the base.
LAST_USED_EVERY = timedelta(minutes=1)


def _base62(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), _CHECK)


def new_secret() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY))
    return f"{PREFIX}{body}{_checksum(body)}"


def is_api_token(bearer: str) -> bool:
    """Whether a bearer credential is meant as an API token (sign-in tokens are JWTs)."""
    return bearer.startswith(PREFIX)


def well_formed(token: str) -> bool:
    body, check = token[len(PREFIX) : -_CHECK], token[-_CHECK:]
    return (
        len(token) == TOKEN_LENGTH
        and token.startswith(PREFIX)
        and all(c in _ALPHABET for c in token[len(PREFIX) :])
        and secrets.compare_digest(_checksum(body), check)
    )


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(values: list[str]) -> frozenset[Scope]:
    try:
        found = frozenset(Scope(v) for v in values)
    except ValueError:
        allowed = ", ".join(s.value for s in Scope)
        raise BadRequest(f"`scopes` must be some of {allowed}") from None
    if not found:
        raise BadRequest("`scopes` needs at least one scope")
    return found


def _stored_scopes(value: str) -> frozenset[Scope]:
    return frozenset(Scope(v) for v in value.split())


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > MAX_NAME:
        raise BadRequest(f"`name` must be 1 to {MAX_NAME} characters")
    # Control and format characters (newlines, bidi overrides) would disguise a name in the list
    # and in the audit log.
    if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name):
        raise BadRequest("`name` must not contain control or invisible characters")
    return name


# -- on every request ---------------------------------------------------------------------------


async def authenticate(ctx: AppContext, token: str, *, method: str) -> Grant:
    """The grant of a bearer API token; Unauthorized with the reason when it is refused."""
    if not well_formed(token):
        raise Unauthorized("malformed API token: check that it was copied whole")
    async with ctx.sessions() as db:
        row = (
            await db.execute(
                select(ApiToken, Membership.role)
                .outerjoin(
                    Membership,
                    (Membership.user_id == ApiToken.created_by)
                    & (Membership.org_id == ApiToken.org_id),
                )
                .where(ApiToken.secret_hash == digest(token))
            )
        ).first()
    if row is None:
        raise Unauthorized("unknown API token")
    found, role = row
    if found.revoked_at is not None:
        raise Unauthorized("this API token was revoked")
    if found.expires_at is not None and found.expires_at <= datetime.now(UTC):
        raise Unauthorized("this API token has expired")
    if role is None:
        raise Unauthorized("the admin who created this API token is no longer a member")
    scopes = _stored_scopes(found.scopes)
    return Grant(
        token_id=found.id,
        name=found.name,
        org_id=found.org_id,
        user_id=found.created_by,
        scopes=scopes,
        capabilities=grants.capabilities(scopes, method),
    )


async def record_use(
    ctx: AppContext, grant: Grant, *, method: str, path: str, status: int, ip: str | None
) -> None:
    """The request's audit event, and the token's last-used time if a minute has passed."""
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as db:
        await db.execute(
            update(ApiToken)
            .where(
                ApiToken.id == grant.token_id,
                or_(
                    ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY
                ),
            )
            .values(last_used_at=now)
        )
        audit.record(
            db,
            AuditKind.API_TOKEN_USED,
            actor_id=grant.user_id,
            ip=ip,
            org_id=grant.org_id,
            target=f"{method} {path}",
            detail=f"status {status}",
        )


# -- management by admins -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    token: ApiToken
    creator_name: str
    scopes: list[Scope]


@dataclass(frozen=True, slots=True)
class Created:
    listed: Listed
    secret: str  # shown once


async def _require(db: AsyncSession, *, user_id: str, org_id: str) -> None:
    await members.require(db, user_id=user_id, org_id=org_id, capability=Capability.TOKEN_MANAGE)


async def list_tokens(db: AsyncSession, *, user_id: str, org_id: str) -> list[Listed]:
    """The organization's tokens that are not revoked (expired ones included), newest first."""
    await _require(db, user_id=user_id, org_id=org_id)
    rows = (
        await db.execute(
            select(ApiToken, User.name)
            .join(User, User.id == ApiToken.created_by)
            .where(ApiToken.org_id == org_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id)
        )
    ).all()
    return [Listed(t, name, sorted(_stored_scopes(t.scopes))) for t, name in rows]


async def create(
    db: AsyncSession,
    *,
    user_id: str,
    org_id: str,
    ip: str | None,
    name: str,
    scopes: list[str],
    expires_in_days: int | None,
) -> Created:
    """A new token acting as `user_id` in `org_id`; its secret is in the answer only."""
    await _require(db, user_id=user_id, org_id=org_id)
    name, wanted = _clean_name(name), parse_scopes(scopes)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        raise BadRequest(f"`expires_in_days` must be 1 to {MAX_DAYS}, or null for no expiry")
    caller = grants.current()
    if caller is not None and not wanted <= caller.scopes:
        # A token cannot mint a token with more than it has (an `admin` token writing invoices).
        raise Forbidden("an API token can only create tokens with scopes it has itself")
    active = (ApiToken.org_id == org_id) & ApiToken.revoked_at.is_(None)
    count = await db.scalar(select(func.count()).select_from(ApiToken).where(active))
    if (count or 0) >= MAX_ACTIVE:
        raise Conflict(f"an organization has at most {MAX_ACTIVE} tokens: revoke unused ones")
    if await db.scalar(select(ApiToken.id).where(active, ApiToken.name == name)) is not None:
        raise Conflict(f"a token named {name!r} already exists")
    now, secret = datetime.now(UTC), new_secret()
    row = ApiToken(
        id=uuid.uuid4().hex,
        org_id=org_id,
        name=name,
        scopes=" ".join(sorted(wanted)),
        prefix=secret[:SHOWN_PREFIX],
        secret_hash=digest(secret),
        created_by=user_id,
        created_at=now,
        expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
    )
    db.add(row)
    await db.flush()
    creator = await db.get(User, user_id)
    _record(db, AuditKind.API_TOKEN_CREATED, row, user_id, ip, f"{name} [{row.scopes}]")
    return Created(Listed(row, creator.name if creator else "", sorted(wanted)), secret)


async def revoke(
    db: AsyncSession, *, user_id: str, org_id: str, ip: str | None, token_id: str
) -> None:
    """Refuse the token from now on (every process reads the row on every request)."""
    await _require(db, user_id=user_id, org_id=org_id)
    row = await db.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id[:64], ApiToken.org_id == org_id, ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        raise NotFound("no such token")
    # Conditional: of two revocations at once, one succeeds and is audited, the other is 404.
    done = await db.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC), revoked_by=user_id)
    )
    if cast(CursorResult[Any], done).rowcount != 1:
        raise NotFound("no such token")
    _record(db, AuditKind.API_TOKEN_REVOKED, row, user_id, ip, row.name)


async def revoke_created_by(
    db: AsyncSession, *, org_id: str, user_id: str, by: str
) -> list[ApiToken]:
    """Revoke the live tokens `user_id` created in `org_id` (they are leaving it)."""
    rows = list(
        await db.scalars(
            select(ApiToken).where(
                ApiToken.org_id == org_id,
                ApiToken.created_by == user_id,
                ApiToken.revoked_at.is_(None),
            )
        )
    )
    now = datetime.now(UTC)
    for row in rows:
        row.revoked_at, row.revoked_by = now, by
    return rows


def _record(
    db: AsyncSession, kind: AuditKind, row: ApiToken, user_id: str, ip: str | None, detail: str
) -> None:
    audit.record(db, kind, actor_id=user_id, ip=ip, org_id=row.org_id, target=row.id, detail=detail)
