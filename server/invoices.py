"""Invoices: creation, access and reading the live document as JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import Member, membership, memberships
from server.errors import BadRequest, Forbidden, NotFound
from server.models import Invoice
from server.permissions import Capability, can


@dataclass(frozen=True, slots=True)
class InvoiceAccess:
    invoice: Invoice
    member: Member

    def can(self, capability: Capability) -> bool:
        return can(self.member.role, capability)


def _valid_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def access(db: AsyncSession, *, user_id: str, invoice_id: str) -> InvoiceAccess:
    """The invoice and the caller's role in its organization.

    Unknown ids and invoices of organizations the user is not in are the same 404, so ids of
    other tenants cannot be probed.
    """
    invoice = await db.get(Invoice, invoice_id) if _valid_uuid(invoice_id) else None
    member = await membership(db, user_id, invoice.org_id) if invoice else None
    if invoice is None or member is None or not can(member.role, Capability.INVOICE_READ):
        raise NotFound("no such invoice")
    return InvoiceAccess(invoice, member)


async def create_invoice(db: AsyncSession, *, user_id: str, org_id: str | None) -> Invoice:
    members = await memberships(db, user_id)
    if org_id is None:
        if len(members) != 1:
            raise BadRequest("you belong to several organizations: give `org`")
        member = members[0]
    else:
        found = [m for m in members if m.org_id == org_id]
        if not found:
            raise NotFound("no such organization")
        member = found[0]
    if not can(member.role, Capability.INVOICE_CREATE):
        raise Forbidden(f"a {member.role} cannot create invoices")
    invoice = Invoice(
        id=str(uuid.uuid4()),
        org_id=member.org_id,
        created_by=user_id,
        status="draft",
        created_at=datetime.now(UTC),
    )
    db.add(invoice)
    await db.flush()
    return invoice


async def list_invoices(db: AsyncSession, *, user_id: str) -> list[Invoice]:
    org_ids = [m.org_id for m in await memberships(db, user_id)]
    result = await db.scalars(
        select(Invoice).where(Invoice.org_id.in_(org_ids)).order_by(Invoice.created_at.desc())
    )
    return list(result)


def summary(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "org_id": invoice.org_id,
        "status": invoice.status,
        "number": invoice.number,
        "created_by": invoice.created_by,
        "created_at": invoice.created_at.isoformat(),
    }
