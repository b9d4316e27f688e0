"""The organization's branding on the PDFs it sends: a colour and a logo.

A logo is a PNG or JPEG, checked by its signature (the browser's Content-Type is not believed)
and bounded in bytes; SVG is refused: it is a document that can fetch and script, and the PDF
renderer must never be handed one from a user. Changes are audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.service import AuditKind, record
from server.organization.models import Branding as BrandingRow

MAX_LOGO_BYTES: Final = 40_000  # fits the 64 KiB request body as base64
COLOR: Final = re.compile(r"#[0-9a-f]{6}")
_SIGNATURES: Final = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class Branding:
    color: str | None = None  # "#rrggbb", lower case
    logo: bytes | None = None
    logo_type: str | None = None  # image/png or image/jpeg


def image_type(data: bytes) -> str | None:
    """The media type of a PNG or JPEG by its first bytes; None for anything else."""
    return next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)


async def branding(db: AsyncSession, org_id: str) -> Branding:
    row = await db.get(BrandingRow, org_id)
    if row is None:
        return Branding()
    return Branding(row.color, row.logo, row.logo_type)


async def save_branding(
    db: AsyncSession, *, org_id: str, actor_id: str, ip: str | None, new: Branding
) -> Branding:
    """Replace the branding in the caller's transaction (checked by the caller); audited."""
    row = await db.get(BrandingRow, org_id)
    now = datetime.now(UTC)
    if row is None:
        row = BrandingRow(org_id=org_id, updated_at=now)
        db.add(row)
    changed = []
    if row.color != new.color:
        changed.append(f"color: {row.color or 'none'} -> {new.color or 'none'}")
    if row.logo != new.logo:
        size = f"{len(new.logo)} bytes" if new.logo else "none"
        changed.append(f"logo: {size}")
    row.color, row.logo, row.logo_type = new.color, new.logo, new.logo_type
    row.updated_at, row.updated_by = now, actor_id
    await db.flush()
    if changed:
        record(
            db,
            AuditKind.PROFILE_CHANGED,
            actor_id=actor_id,
            ip=ip,
            org_id=org_id,
            target=f"org:{org_id}/branding",
            detail="; ".join(changed),
        )
    return new
