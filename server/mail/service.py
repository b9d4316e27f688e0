"""Composing and delivering mail.

`compose` writes the message (and its attachments) in the caller's transaction. With an SMTP
server configured (`SMTP_URL`) it queues a delivery job in the same transaction, so a message
is delivered exactly when its cause commits; without one the message stays in the outbox,
which admins read in the browser (the embedded default: nothing is lost, nothing leaves).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import make_msgid
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.jobs import service as jobs
from server.mail import templating
from server.mail.models import MailAttachment, MailMessage, MailTemplate
from server.mail.smtp import Smtp, email_of, is_permanent

log = logging.getLogger(__name__)

OUTBOX, QUEUED, SENT, FAILED = "outbox", "queued", "sent", "failed"
DELIVER: Final = "mail.deliver"
MAX_RECIPIENTS: Final = 20


@dataclass(slots=True)
class _Config:
    smtp: Smtp | None = None
    sender: str = "Cofacture <no-reply@localhost>"


_config = _Config()


def configure(smtp: Smtp | None, sender: str) -> None:
    """This process's SMTP server (None: the outbox) and From address."""
    _config.smtp, _config.sender = smtp, sender
    jobs.register(DELIVER, deliver if smtp is not None else None)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


async def compose(
    db: AsyncSession,
    *,
    org_id: str,
    purpose: str,
    language: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    variables: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    invoice_id: str | None = None,
    created_by: str | None = None,
) -> MailMessage:
    """Write a message from the organization's template (or ours) for `purpose`; queue its
    delivery, or leave it in the outbox."""
    subject, body = await template(db, org_id=org_id, purpose=purpose, language=language)
    done = templating.render(subject, body, variables)
    now = datetime.now(UTC)
    domain = Address(addr_spec=_bare(_config.sender)).domain or "localhost"
    row = MailMessage(
        id=str(uuid.uuid4()),
        org_id=org_id,
        invoice_id=invoice_id,
        purpose=purpose,
        language=language,
        sender=_config.sender,
        recipients=json.dumps(list(to)),
        copies=json.dumps(list(cc)),
        subject=done.subject,
        body=done.body,
        message_id=make_msgid(domain=domain),
        status=QUEUED if _config.smtp is not None else OUTBOX,
        created_by=created_by,
        created_at=now,
    )
    db.add(row)
    await db.flush()  # before its attachments: no ORM relationship orders the inserts
    for file in attachments:
        db.add(
            MailAttachment(
                id=str(uuid.uuid4()),
                message_id=row.id,
                filename=file.filename,
                content_type=file.content_type,
                data=file.data,
            )
        )
    await db.flush()
    if _config.smtp is not None:
        await jobs.enqueue(db, kind=DELIVER, key=f"mail:{row.id}", org_id=org_id)
    return row


def _bare(sender: str) -> str:
    """The address of `Name <address>`."""
    return sender.rpartition("<")[2].rstrip(">").strip()


async def deliver(ctx: jobs.Context) -> None:
    """The delivery job: hand the message to the SMTP server, then record it as sent (in the
    job's transaction). A permanent refusal, or the last attempt failing, marks it failed."""
    smtp = _config.smtp
    if smtp is None:
        raise jobs.Permanent("no SMTP server configured")
    row = await ctx.db.scalar(
        select(MailMessage).where(MailMessage.id == ctx.key.removeprefix("mail:"))
    )
    if row is None:
        raise jobs.Permanent("the message is gone")
    if row.status != QUEUED:
        return  # delivered by an earlier attempt whose job record was lost with its process
    files = list(
        await ctx.db.scalars(select(MailAttachment).where(MailAttachment.message_id == row.id))
    )
    message = email_of(row, json.loads(row.recipients), json.loads(row.copies), files)
    try:
        await smtp.send(message)
    except Exception as exc:
        if not is_permanent(exc) and ctx.attempt < jobs.MAX_ATTEMPTS:
            raise
        log.error("mail %s to %s not delivered: %r", row.id, row.recipients, exc)
        row.status, row.last_error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        return
    row.status, row.sent_at, row.last_error = SENT, ctx.now, None


async def template(
    db: AsyncSession, *, org_id: str, purpose: str, language: str
) -> tuple[str, str]:
    """The (subject, body) source the organization uses for `purpose` in `language`."""
    own = await db.get(MailTemplate, (org_id, purpose, language))
    if own is not None:
        return own.subject, own.body
    return templating.ours(purpose, language)


async def set_template(
    db: AsyncSession,
    *,
    org_id: str,
    purpose: str,
    language: str,
    subject: str,
    body: str,
    user_id: str,
    sample: dict[str, Any],
) -> None:
    """Keep an organization's template once it renders with `sample` variables."""
    templating.render(subject, body, sample)
    own = await db.get(MailTemplate, (org_id, purpose, language))
    now = datetime.now(UTC)
    if own is None:
        db.add(
            MailTemplate(
                org_id=org_id,
                purpose=purpose,
                language=language,
                subject=subject,
                body=body,
                updated_by=user_id,
                updated_at=now,
            )
        )
    else:
        own.subject, own.body, own.updated_by, own.updated_at = subject, body, user_id, now


async def messages(
    db: AsyncSession,
    *,
    org_id: str,
    invoice_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[MailMessage]:
    """An organization's messages (of one invoice), newest first."""
    query = select(MailMessage).where(MailMessage.org_id == org_id)
    if invoice_id is not None:
        query = query.where(MailMessage.invoice_id == invoice_id)
    if status is not None:
        query = query.where(MailMessage.status == status)
    return list(await db.scalars(query.order_by(MailMessage.created_at.desc()).limit(limit)))


async def attachment_names(db: AsyncSession, message_ids: Sequence[str]) -> dict[str, list[str]]:
    rows = await db.execute(
        select(MailAttachment.message_id, MailAttachment.filename).where(
            MailAttachment.message_id.in_(list(message_ids))
        )
    )
    names: dict[str, list[str]] = {}
    for message_id, filename in rows.all():
        names.setdefault(message_id, []).append(filename)
    return names
