"""The stored renders of issued invoices (table `issued_renders`, migration 0013).

An issued invoice is rendered once per format and variant; the bytes are kept and every later
request gets exactly them, whatever changed since (the seller profile, a template, this code).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.exports.models import IssuedRender

Format = Literal["pdf", "facturx", "ubl", "cii"]


async def stored(
    sessions: async_sessionmaker[AsyncSession], invoice_id: str, fmt: Format, variant: str = ""
) -> bytes | None:
    async with sessions() as db:
        return await _read(db, invoice_id, fmt, variant)


async def keep(
    sessions: async_sessionmaker[AsyncSession],
    invoice_id: str,
    fmt: Format,
    data: bytes,
    variant: str = "",
) -> bytes:
    """Store `data` as the render, unless one was stored first: the answer is what is stored.

    Two first requests may render at the same time; the unique (invoice, format, variant)
    lets one insert win, and the other serves the winner's bytes, so no two answers for one
    issued invoice ever differ.
    """
    async with sessions() as db:
        db.add(
            IssuedRender(
                invoice_id=invoice_id,
                format=fmt,
                variant=variant,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                created_at=datetime.now(UTC),
            )
        )
        try:
            await db.commit()
            return data
        except IntegrityError:
            await db.rollback()
        found = await _read(db, invoice_id, fmt, variant)
    if found is None:  # the constraint that refused us names a row that must exist
        raise RuntimeError(f"no stored {fmt} render of invoice {invoice_id} after a conflict")
    return found


async def _read(db: AsyncSession, invoice_id: str, fmt: Format, variant: str) -> bytes | None:
    row = await db.scalar(
        select(IssuedRender.data).where(
            IssuedRender.invoice_id == invoice_id,
            IssuedRender.format == fmt,
            IssuedRender.variant == variant,
        )
    )
    return row
