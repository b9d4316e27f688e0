"""The invoice as it leaves Cofacture: GET /api/invoices/{id}/cii.xml, /ubl.xml, /pdf and
/facturx.pdf, thin over the service."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from fastapi import APIRouter, Request, Response

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.exports import service as exports
from server.exports.schemas import (
    XML_ANSWER,
    ComplianceOut,
    ExportOut,
    PreviewOut,
    RenderOut,
    pdf_answer,
)

router = APIRouter(prefix="/api/invoices", tags=["exports"], responses=errors(401))

_DESCRIPTION = (
    "Any member who can read the invoice. An issued invoice carries the number, issue date and "
    "seller stamped at issue; a draft the number `DRAFT`. The XML is checked against the XSD and "
    "the official EN 16931 Schematron on every export; a draft usually breaks some rules, so "
    "the answer is 200 either way and says what was found. 409 `not_exportable` when the "
    "document cannot be expressed at all (an unknown currency). See docs/e-invoices.md."
)
_PDF_DESCRIPTION = (
    "Any member who can read the invoice. A draft is watermarked DRAFT, carries no number and "
    "is rendered on every request; an issued invoice is rendered once per template and "
    "language and served unchanged afterwards. `lang` defaults to French for a French seller, "
    "else English. Every figure is the one the XML carries. See docs/e-invoices.md."
)
_UNSAFE = re.compile(r"[^A-Za-z0-9+_-]")


@router.get(
    "/{invoice_id}/cii.xml",
    response_model=ExportOut,
    responses={**XML_ANSWER, **errors(404, 409)},
    summary="The invoice as UN/CEFACT CII XML (Factur-X, EN 16931 profile), checked",
    description=_DESCRIPTION,
)
async def get_cii(
    caller: Caller, ctx: Ctx, invoice_id: str, request: Request, response: Response
) -> Any:
    return await _export(caller, ctx, invoice_id, request, response, "cii")


@router.get(
    "/{invoice_id}/ubl.xml",
    response_model=ExportOut,
    responses={**XML_ANSWER, **errors(404, 409)},
    summary="The invoice as UBL 2.1 XML (Peppol BIS Billing 3.0), checked",
    description=_DESCRIPTION,
)
async def get_ubl(
    caller: Caller, ctx: Ctx, invoice_id: str, request: Request, response: Response
) -> Any:
    return await _export(caller, ctx, invoice_id, request, response, "ubl")


@router.get(
    "/{invoice_id}/pdf",
    response_model=RenderOut,
    responses={**pdf_answer("The PDF (`application/pdf`, the default)"), **errors(404, 409)},
    summary="The invoice as a PDF for people (template classic or modern, English or French)",
    description=_PDF_DESCRIPTION,
)
async def get_pdf(
    caller: Caller,
    ctx: Ctx,
    invoice_id: str,
    request: Request,
    template: exports.Template = "classic",
    lang: exports.Language | None = None,
) -> Any:
    found = await exports.pdf(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        template=template,
        lang=lang,
    )
    what = f"pdf {found.layout.template}/{found.layout.lang}"
    await _record(caller, ctx, invoice_id, request, what, found.number)
    return _pdf(found, request, "pdf", f"{_UNSAFE.sub('-', found.number)}.pdf")


@router.get(
    "/{invoice_id}/facturx.pdf",
    response_model=RenderOut,
    responses={
        **pdf_answer("Factur-X: the PDF/A-3b with the CII XML attached as `factur-x.xml`"),
        **errors(404, 409),
    },
    summary="The invoice as Factur-X (EN 16931 profile): PDF/A-3 with the CII XML inside",
    description=_PDF_DESCRIPTION
    + " The attached XML is byte for byte what `/cii.xml` answers for the same invoice.",
)
async def get_facturx(
    caller: Caller,
    ctx: Ctx,
    invoice_id: str,
    request: Request,
    template: exports.Template = "classic",
    lang: exports.Language | None = None,
) -> Any:
    found = await exports.facturx(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        template=template,
        lang=lang,
    )
    await _record(caller, ctx, invoice_id, request, "factur-x", found.number)
    return _pdf(found, request, "facturx", f"{_UNSAFE.sub('-', found.number)}.facturx.pdf")


@router.get(
    "/{invoice_id}/compliance",
    response_model=ComplianceOut,
    responses=errors(404, 409),
    summary="The EN 16931 rules the invoice breaks now, each on the field to fix",
    description=(
        "What the issue gate would say if the invoice were issued as it stands: the official "
        "Schematron in CII and UBL, on the live document with the current seller profile. The "
        "editor asks a moment after edits; one content is checked once (cached)."
    ),
)
async def get_compliance(caller: Caller, ctx: Ctx, invoice_id: str) -> Any:
    return await exports.compliance(
        ctx.sessions, ctx.registry, ctx.store, user_id=caller.user_id, invoice_id=invoice_id
    )


@router.get(
    "/{invoice_id}/preview",
    response_model=PreviewOut,
    responses=errors(404, 409),
    summary="The PDF's pages as PNG images, for the editor's live preview",
    description=_PDF_DESCRIPTION
    + " The images are drawn from the very PDF `/pdf` answers with the same parameters.",
)
async def get_preview(
    caller: Caller,
    ctx: Ctx,
    invoice_id: str,
    template: exports.Template = "classic",
    lang: exports.Language | None = None,
) -> PreviewOut:
    found = await exports.preview(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        template=template,
        lang=lang,
    )
    rendered = found.rendered
    return PreviewOut(
        number=rendered.number,
        draft=rendered.draft,
        template=rendered.layout.template,
        lang=rendered.layout.lang,
        page_count=found.count,
        pages=[f"data:image/png;base64,{base64.b64encode(page).decode()}" for page in found.pages],
    )


def _pdf(found: exports.Rendered, request: Request, kind: str, filename: str) -> Any:
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "pdf" not in accept:
        return {
            "format": kind,
            "number": found.number,
            "draft": found.draft,
            "template": found.layout.template,
            "lang": found.layout.lang,
            "size": len(found.data),
            "sha256": hashlib.sha256(found.data).hexdigest(),
            "pdf": base64.b64encode(found.data).decode("ascii"),
        }
    # A draft changes with every edit: no cache may keep it. An issued one never changes.
    cache = "private, no-store" if found.draft else "private, max-age=3600, immutable"
    headers = {
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": cache,
    }
    return Response(found.data, media_type="application/pdf", headers=headers)


async def _export(
    caller: Caller,
    ctx: Ctx,
    invoice_id: str,
    request: Request,
    response: Response,
    syntax: exports.Syntax,
) -> Any:
    found = await exports.export(
        ctx.sessions,
        ctx.registry,
        ctx.store,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        syntax=syntax,
    )
    await _record(caller, ctx, invoice_id, request, syntax, found.number)
    report = found.report
    headers = {
        "X-EN16931-Valid": "true" if report.ok else "false",
        "X-EN16931-Fatal": " ".join(sorted(report.rules())),
    }
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "xml" not in accept:
        response.headers.update(headers)  # FastAPI serialises the dict through ExportOut
        return _json(found)
    filename = f"{_UNSAFE.sub('-', found.number)}.{syntax}.xml"
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(found.xml, media_type="application/xml", headers=headers)


async def _record(
    caller: Caller, ctx: Ctx, invoice_id: str, request: Request, what: str, number: str
) -> None:
    await exports.record_export(
        ctx.sessions,
        user_id=caller.user_id,
        invoice_id=invoice_id,
        what=what,
        number=number,
        ip=client_ip(request),
    )


def _json(found: exports.Export) -> dict[str, Any]:
    return {
        "syntax": found.syntax,
        "number": found.number,
        "valid": found.report.ok,
        "fatal": [finding.to_json() for finding in found.report.fatal],
        "warnings": [finding.to_json() for finding in found.report.warnings],
        "xml": found.xml.decode("utf-8"),
    }
