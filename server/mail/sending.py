"""Sending an issued invoice to its customer: the Factur-X PDF attached, recorded, audited."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability
from server.core.errors import BadRequest, Conflict, Forbidden
from server.exports import service as exports
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.mail import service as mail
from server.mail.models import MailMessage
from server.workflow import service as workflow

SENDABLE: Final = frozenset({"issued", "partially_paid", "paid"})
# Who sends invoices: accountants (payments) and those who issue them.
SENDERS: Final = (Capability.PAYMENT_MANAGE, Capability.INVOICE_ISSUE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def address(value: str) -> str:
    """A single plain address (`name@example.com`), or ValueError."""
    value = value.strip()
    try:
        parsed = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        parsed = None
    if parsed is None or not parsed.username or "." not in parsed.domain or len(value) > 320:
        raise ValueError(f"not an e-mail address: {value[:80]!r}")
    return parsed.addr_spec


async def send_invoice(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    user_id: str,
    invoice_id: str,
    to: Sequence[str] | None,
    cc: Sequence[str],
    message: str | None,
    language: exports.Language | None,
    ip: str | None,
) -> MailMessage:
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not any(found.can(c) for c in SENDERS):
            raise Forbidden(f"a {found.member.role} cannot send invoices")
        if found.invoice.status not in SENDABLE:
            raise Conflict("only an issued invoice can be sent", code="not_issued")
        stamp = await workflow.issued(db, invoice_id)
    document = dict(stamp.document or {}) if stamp else {}
    header = document.get("invoice") or {}
    customer = header.get("customer") or {}
    recipients = list(to or [])
    if not recipients:
        try:
            recipients = [address(str(customer.get("email") or ""))]
        except ValueError:
            raise Conflict(
                "the customer has no valid e-mail address: say whom to send it to", code="no_to"
            ) from None
    copies = list(cc)
    if len(recipients) + len(copies) > mail.MAX_RECIPIENTS:
        raise BadRequest(f"at most {mail.MAX_RECIPIENTS} recipients")
    # Rendered once at issue and kept: the same bytes every time it is sent.
    pdf = await exports.facturx(
        sessions, registry, store, user_id=user_id, invoice_id=invoice_id, lang=language
    )
    invoice = found.invoice
    number = invoice.number or pdf.number
    variables: dict[str, Any] = {
        "number": number,
        "seller": (stamp.seller.get("legal_name") if stamp else None) or "",
        "customer": customer.get("name") or "",
        "issue_date": stamp.issue_date.isoformat() if stamp else "",
        "due_date": header.get("due_date") or "",
        "amount": invoice.gross,
        "currency": invoice.currency,
        "message": (message or "").strip(),
    }
    async with sessions.begin() as db:
        row = await mail.compose(
            db,
            org_id=invoice.org_id,
            purpose="invoice",
            language=pdf.layout.lang,
            to=recipients,
            cc=copies,
            variables=variables,
            attachments=[
                mail.Attachment(f"{_UNSAFE.sub('-', number)}.pdf", "application/pdf", pdf.data)
            ],
            invoice_id=invoice_id,
            created_by=user_id,
        )
        audit.record(
            db,
            AuditKind.INVOICE_SENT,
            actor_id=user_id,
            ip=ip,
            org_id=invoice.org_id,
            target=f"invoice {invoice_id}",
            detail=f"message {row.id} to {', '.join(recipients + copies)} ({row.status})",
        )
    jobs.nudge()
    return row


def message_json(row: MailMessage, attachments: list[str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "invoice_id": row.invoice_id,
        "purpose": row.purpose,
        "language": row.language,
        "to": json.loads(row.recipients),
        "cc": json.loads(row.copies),
        "subject": row.subject,
        "body": row.body,
        "attachments": attachments,
        "status": row.status,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
    }
