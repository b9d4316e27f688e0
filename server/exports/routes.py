"""The e-invoice exports: GET /api/invoices/{id}/cii.xml and /ubl.xml, thin over the service."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from server.auth.service import Caller
from server.core.api import Ctx, errors
from server.exports import service as exports
from server.exports.schemas import XML_ANSWER, ExportOut

router = APIRouter(prefix="/api/invoices", tags=["exports"], responses=errors(401))

_DESCRIPTION = (
    "Any member who can read the invoice. An issued invoice carries the number, issue date and "
    "seller stamped at issue; a draft the number `DRAFT`. The XML is checked against the XSD and "
    "the official EN 16931 Schematron on every export; a draft usually breaks some rules, so "
    "the answer is 200 either way and says what was found. 409 `not_exportable` when the "
    "document cannot be expressed at all (an unknown currency). See docs/e-invoices.md."
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


def _json(found: exports.Export) -> dict[str, Any]:
    return {
        "syntax": found.syntax,
        "number": found.number,
        "valid": found.report.ok,
        "fatal": [finding.to_json() for finding in found.report.fatal],
        "warnings": [finding.to_json() for finding in found.report.warnings],
        "xml": found.xml.decode("utf-8"),
    }
