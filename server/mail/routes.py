"""The mail endpoints: send an invoice, what was sent, the outbox, templates. Thin handlers
over server/mail/service.py and sending.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Caller, Capability, require
from server.core.api import Ctx, client_ip, errors
from server.core.errors import BadRequest
from server.invoices import service as invoices
from server.mail import service as mail
from server.mail import templating
from server.mail.schemas import MessageList, MessageOut, SendInvoice, TemplateIn, TemplateOut
from server.mail.sending import message_json, send_invoice

router = APIRouter(tags=["mail"], responses=errors(401))

Purpose = Literal["invoice"]
Language = Literal["en", "fr"]
# What an invoice template may use, with the sample a new template is tried on before saving.
SAMPLE: dict[str, Any] = {
    "number": "F-2026-0001",
    "seller": "Acme SAS",
    "customer": "Client SARL",
    "issue_date": "2026-12-01",
    "due_date": "2026-12-31",
    "amount": "1200.00",
    "currency": "EUR",
    "message": "Thank you for your order.",
}


async def _messages(ctx: Ctx, org_id: str, **where: Any) -> dict[str, Any]:
    async with ctx.sessions() as db:
        rows = await mail.messages(db, org_id=org_id, **where)
        names = await mail.attachment_names(db, [row.id for row in rows])
    return {"items": [message_json(row, names.get(row.id, [])) for row in rows]}


@router.post(
    "/api/invoices/{invoice_id}/send",
    status_code=201,
    response_model=MessageOut,
    responses=errors(400, 403, 404, 409),
    summary="E-mail an issued invoice to its customer, its Factur-X PDF attached",
    description=(
        "Accountants, approvers and admins. `to` defaults to the customer's e-mail on the "
        "invoice (409 `no_to` when it has none). Without an SMTP server (`SMTP_URL`) the "
        "message goes to the outbox (`status: outbox`). Sending again is a resend: each is "
        "recorded. 409 `not_issued` for an invoice not issued. Audited."
    ),
)
async def post_send(
    caller: Caller, ctx: Ctx, invoice_id: str, body: SendInvoice, request: Request
) -> Any:
    row = await send_invoice(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        to=body.to,
        cc=body.cc,
        message=body.message,
        language=body.language,
        ip=client_ip(request),
    )
    return message_json(row, await _names(ctx, row.id))


async def _names(ctx: Ctx, message_id: str) -> list[str]:
    async with ctx.sessions() as db:
        return (await mail.attachment_names(db, [message_id])).get(message_id, [])


@router.get(
    "/api/invoices/{invoice_id}/messages",
    response_model=MessageList,
    responses=errors(404),
    summary="What was e-mailed about an invoice, to whom and when (every member who reads it)",
)
async def get_invoice_messages(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    async with ctx.sessions() as db:
        found = await invoices.access(db, user_id=caller.user_id, invoice_id=invoice_id)
    return await _messages(ctx, found.invoice.org_id, invoice_id=invoice_id)


@router.get(
    "/api/orgs/{org}/outbox",
    response_model=MessageList,
    responses=errors(403, 404),
    summary="The organization's messages: the outbox without SMTP, the log of mail with it",
    description="Admins. `status=outbox` lists what waits for lack of an SMTP server.",
)
async def get_outbox(
    caller: Caller,
    ctx: Ctx,
    org: str,
    status: Annotated[Literal["outbox", "queued", "sent", "failed"] | None, Query()] = None,
) -> Any:
    async with ctx.sessions() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
    return await _messages(ctx, org, status=status)


@router.get(
    "/api/orgs/{org}/mail-templates/{purpose}/{language}",
    response_model=TemplateOut,
    responses=errors(403, 404),
    summary="The subject and body the organization's messages of a purpose are written from",
)
async def get_template(
    caller: Caller, ctx: Ctx, org: str, purpose: Purpose, language: Language
) -> Any:
    async with ctx.sessions() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
        subject, body = await mail.template(db, org_id=org, purpose=purpose, language=language)
    own = (subject, body) != templating.ours(purpose, language)
    return _template(purpose, language, subject, body, own=own)


@router.put(
    "/api/orgs/{org}/mail-templates/{purpose}/{language}",
    response_model=TemplateOut,
    responses=errors(400, 403, 404),
    summary="Set the organization's own subject and body (Jinja2, sandboxed); audited",
    description="400 when the template does not render with sample values.",
)
async def put_template(
    caller: Caller,
    ctx: Ctx,
    org: str,
    purpose: Purpose,
    language: Language,
    body: TemplateIn,
    request: Request,
) -> Any:
    async with ctx.sessions.begin() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
        try:
            await mail.set_template(
                db,
                org_id=org,
                purpose=purpose,
                language=language,
                subject=body.subject,
                body=body.body,
                user_id=caller.user_id,
                sample=SAMPLE,
            )
        except templating.TemplateRefused as exc:
            raise BadRequest(str(exc), code="template") from None
        audit.record(
            db,
            AuditKind.MAIL_TEMPLATE_CHANGED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org,
            target=f"mail template {purpose}/{language}",
        )
    return _template(purpose, language, body.subject, body.body, own=True)


def _template(purpose: str, language: str, subject: str, body: str, *, own: bool) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "language": language,
        "subject": subject,
        "body": body,
        "own": own,
        "variables": sorted(SAMPLE),
    }
