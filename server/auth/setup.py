"""First-run setup: on a database without any user, create the first organization and its
administrator, once. Afterwards it is refused (403), even for concurrent attempts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts
from server.auth.models import User
from server.auth.permissions import Role
from server.core.context import AppContext
from server.core.errors import Forbidden

SETUP_LOCK_KEY = 0x0C0FAC  # PostgreSQL advisory lock: one first-run setup at a time
MAX_NAME = 200

# One process never runs two setups at once; the database lock below covers several processes.
_setup_lock = asyncio.Lock()


@dataclass(frozen=True, slots=True)
class SetupDone:
    org_id: str
    org_name: str
    user_id: str
    email: str


async def _user_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)


async def needed(ctx: AppContext) -> bool:
    """Whether the setup is still to be done: no user exists yet."""
    async with ctx.sessions() as db:
        return await _user_count(db) == 0


async def _lock_for_setup(db: AsyncSession) -> None:
    """Hold the database's write lock for the rest of the transaction, so that a concurrent
    setup (another process) waits here and then sees the user this one creates."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's RESERVED lock even when it changes no row.
        await db.execute(text("DELETE FROM users WHERE 0"))


async def first_run(
    ctx: AppContext,
    *,
    organization: str,
    name: str | None,
    email: str,
    password: str,
    ip: str | None,
) -> SetupDone:
    async with _setup_lock, ctx.sessions() as db:
        await _lock_for_setup(db)
        if await _user_count(db) > 0:
            raise Forbidden("this server is already set up: sign in instead")
        org = await accounts.create_org(db, name=organization)
        user = await accounts.create_user(
            db,
            org=org,
            email=email,
            password=password,
            role=Role.ADMIN,
            name=(name or "")[:MAX_NAME],
        )
        audit.record(
            db,
            AuditKind.MEMBER_ADDED,
            actor_id=user.id,
            ip=ip,
            target=user.email,
            org_id=org.id,
            detail="first-run setup: organization and administrator created",
        )
        await db.commit()
    return SetupDone(org_id=org.id, org_name=org.name, user_id=user.id, email=user.email)
