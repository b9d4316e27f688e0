"""Uploaded customer files between upload and confirmation: stored, found (with the caller's
right checked), expired after an hour, confirmed once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import Capability, can, membership
from server.core.errors import Conflict, Forbidden, NotFound
from server.crm.models import CustomerImport

LIFETIME: Final = timedelta(hours=1)


async def store(
    db: AsyncSession, *, org_id: str, user_id: str, filename: str, body: bytes
) -> CustomerImport:
    """Keep the file; files past their hour go at the same time."""
    now = datetime.now(UTC)
    await db.execute(delete(CustomerImport).where(CustomerImport.expires_at < now))
    stored = CustomerImport(
        id=str(uuid.uuid4()),
        org_id=org_id,
        created_by=user_id,
        created_at=now,
        expires_at=now + LIFETIME,
        filename=filename[:200],
        body=body,
    )
    db.add(stored)
    await db.flush()
    return stored


async def usable(db: AsyncSession, *, user_id: str, import_id: str) -> CustomerImport:
    """The upload, if the caller may import into its organization: 404 for an unknown,
    expired or other organization's upload, 403 without the right, 409 once confirmed."""
    found = await db.get(CustomerImport, import_id)
    member = None if found is None else await membership(db, user_id, found.org_id)
    if found is None or member is None or found.expires_at < datetime.now(UTC):
        raise NotFound("no such customer import (uploads expire after an hour)")
    if not can(member.role, Capability.INVOICE_CREATE):
        raise Forbidden(f"a {member.role} cannot change the catalogue")
    if found.confirmed_at is not None:
        raise Conflict("this file has been imported already", code="already_confirmed")
    return found


async def mark_confirmed(db: AsyncSession, found: CustomerImport, *, result: str) -> datetime:
    """Mark the upload confirmed, unless another confirmation did first (409)."""
    now = datetime.now(UTC)
    done = await db.execute(
        update(CustomerImport)
        .where(CustomerImport.id == found.id, CustomerImport.confirmed_at.is_(None))
        .values(confirmed_at=now, result=result[:400])
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise Conflict("this file has been imported already", code="already_confirmed")
    return now
