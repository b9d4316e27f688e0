"""Who an exception is routed to: the expert an admin designates per category, else the admins.

A designated expert must be a member whose role may handle exceptions (`exception.open`); one
who left the organization or lost that role is skipped when routing, so an exception never
waits on someone who cannot act on it.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.records import CATEGORIES
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, Member, can, membership, users_by_id
from server.core.errors import BadRequest
from server.exceptions.models import ExceptionExpert

Experts = dict[str, str | None]  # category -> user id (None: the organization's admins)


async def read(db: AsyncSession, org_id: str) -> Experts:
    rows = await db.scalars(select(ExceptionExpert).where(ExceptionExpert.org_id == org_id))
    found: Experts = dict.fromkeys(CATEGORIES)
    found.update({row.category: row.user_id for row in rows})
    return found


async def able(db: AsyncSession, user_id: str | None, org_id: str) -> Member | None:
    """The member `user_id` if they may handle exceptions in the organization now."""
    member = await membership(db, user_id, org_id) if user_id else None
    return member if member and can(member.role, Capability.EXCEPTION_OPEN) else None


async def route(db: AsyncSession, org_id: str, category: str) -> str | None:
    """The expert an exception of `category` goes to now; None: the organization's admins."""
    expert = (await read(db, org_id)).get(category)
    return expert if await able(db, expert, org_id) else None


async def save(
    db: AsyncSession, *, org_id: str, actor_id: str, ip: str | None, new: Experts
) -> Experts:
    """Replace the designations (a category left out or null routes to the admins); audited
    with what changed, nothing recorded when nothing did."""
    for category, user_id in new.items():
        if user_id is not None and await able(db, user_id, org_id) is None:
            raise BadRequest(
                f"`{category}`: the expert must be a member who may handle exceptions "
                "(an editor, approver, accountant or admin)"
            )
    before = await read(db, org_id)
    after: Experts = {category: new.get(category) for category in CATEGORIES}
    if after == before:
        return before
    await db.execute(delete(ExceptionExpert).where(ExceptionExpert.org_id == org_id))
    db.add_all(
        ExceptionExpert(org_id=org_id, category=category, user_id=user_id)
        for category, user_id in after.items()
        if user_id is not None
    )
    names = await users_by_id(db, {u for u in [*before.values(), *after.values()] if u})

    def name(user_id: str | None) -> str:
        return names[user_id].email if user_id and user_id in names else "admins"

    changes = [
        f"{c}: {name(before[c])} -> {name(after[c])}" for c in CATEGORIES if before[c] != after[c]
    ]
    audit.record(
        db,
        AuditKind.EXCEPTION_EXPERTS_CHANGED,
        actor_id=actor_id,
        ip=ip,
        org_id=org_id,
        target=f"org {org_id}",
        detail="; ".join(changes),
    )
    await db.flush()
    return after
