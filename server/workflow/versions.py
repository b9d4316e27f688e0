"""Named versions of an invoice: a name on a point of its update log (docs/history.md).

Automatic ones are written by the transitions service at submit and approve (the
NAMED_VERSION effect, in the transition's transaction); an editor names one by hand. A version
is the room's `seq` when it is taken, after the room's queued updates are durable: the last
entry of the log the live document has applied (for a transition the room is frozen then, so
that is exactly the content that was hashed). `POST /api/invoices/{id}/restore {"seq"}` takes
it as is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.workflow import Action
from collab.sync import LoadError, RoomRegistry
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, users_by_id
from server.core.errors import Conflict, Forbidden
from server.invoices import service as invoices
from server.workflow.models import InvoiceVersion

AUTO, MANUAL = "auto", "manual"
AUTO_NAMES = {Action.SUBMIT: "Submitted", Action.APPROVE: "Approved"}

# How long naming a version waits for the room's queued updates to be durable.
_FLUSH_WAIT_SECONDS = 2.0


def add_version(
    db: AsyncSession, *, invoice_id: str, seq: int, name: str, kind: str, author: str
) -> InvoiceVersion:
    """Add a version to the caller's transaction."""
    version = InvoiceVersion(
        invoice_id=invoice_id,
        seq=seq,
        name=name,
        kind=kind,
        created_by=author,
        created_at=datetime.now(UTC),
    )
    db.add(version)
    return version


async def name_version(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    invoice_id: str,
    name: str,
    ip: str | None,
) -> dict[str, Any]:
    """An editor names the invoice's current content; audited as `invoice.version_named`."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
    if not found.can(Capability.INVOICE_EDIT):
        raise Forbidden("only editors can name a version")
    if found.invoice.status == invoices.DISCARDED:
        raise Conflict("the invoice is discarded")
    try:
        room = await registry.acquire(found.invoice.id)
    except LoadError:
        raise Conflict("the invoice cannot be loaded right now; try again later") from None
    try:
        if not await registry.persister.flush(_FLUSH_WAIT_SECONDS, doc_id=room.doc_id):
            raise Conflict("the invoice's last changes are not saved yet; try again")
        seq = await registry.last_seq(room.doc_id)
    finally:
        registry.release(room)
    if seq == 0:
        raise Conflict("the invoice has no content yet: nothing to name")
    async with sessions.begin() as db:
        version = add_version(
            db, invoice_id=found.invoice.id, seq=seq, name=name, kind=MANUAL, author=user_id
        )
        audit.record(
            db,
            AuditKind.INVOICE_VERSION_NAMED,
            actor_id=user_id,
            ip=ip,
            org_id=found.invoice.org_id,
            target=f"invoice {found.invoice.id}",
            detail=f"{name!r} at update {seq}",
        )
        await db.flush()
        users = await users_by_id(db, {user_id})
    return _json(version, {user_id: users[user_id].name} if user_id in users else {})


async def list_versions(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> dict[str, Any]:
    """The invoice's named versions, newest first; every member who reads the invoice."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        rows = list(
            await db.scalars(
                select(InvoiceVersion)
                .where(InvoiceVersion.invoice_id == found.invoice.id)
                .order_by(InvoiceVersion.id.desc())
            )
        )
        users = await users_by_id(db, {row.created_by for row in rows})
    names = {user_id: user.name for user_id, user in users.items()}
    return {"items": [_json(row, names) for row in rows]}


def _json(version: InvoiceVersion, names: dict[str, str]) -> dict[str, Any]:
    author = version.created_by
    return {
        "id": version.id,
        "name": version.name,
        "kind": version.kind,
        "seq": version.seq,
        "author": {"id": author, "name": names.get(author, author)},
        "at": version.created_at.isoformat(),
    }
