"""POST /api/invoices/import: a thin handler over the service; the request body is the file."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, ErrorBody, client_ip, errors
from server.imports import service as imports
from server.imports.schemas import ImportQuery, ImportResult

router = APIRouter(tags=["invoices"], responses=errors(401))

PATH: Final = "/api/invoices/import"
# This route's own body limit (server/core/body_limit.py), given to the middleware by app.py:
# every other route keeps the 64 KiB one.
BODY_LIMITS: Final = {("POST", PATH): imports.MAX_IMPORT_BYTES}

_FILE: Final = {
    "required": True,
    "description": "The e-invoice file: UBL 2.1 Invoice or CreditNote, or UN/CEFACT CII, as "
    "XML; or a Factur-X / ZUGFeRD PDF with its CII XML attached. At most "
    f"{imports.MAX_IMPORT_BYTES} bytes.",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "text/xml": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}


@router.post(
    PATH,
    status_code=201,
    response_model=ImportResult,
    responses={
        **errors(400, 403, 404, 409, 413),  # 404: `org`; 409: the new draft refused the write
        415: {"model": ErrorBody, "description": "Neither XML nor PDF"},
    },
    summary="Make a draft from a UBL, CII or Factur-X e-invoice (the file is the body)",
    description=(
        "Same right as creating an invoice. The draft carries everything the document holds; "
        "`warnings` names (by EN 16931 BT/BG) what it could not carry, any total that differs "
        "from the file's, and the file's own XSD/Schematron findings, which never refuse it. "
        "400 `unreadable_invoice` for a file that cannot be read at all."
    ),
    openapi_extra={"requestBody": _FILE},
)
async def import_invoice(
    caller: Caller, ctx: Ctx, request: Request, query: Annotated[ImportQuery, Query()]
) -> Any:
    return await imports.import_invoice(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        org_id=query.org,
        content_type=request.headers.get("content-type", ""),
        body=await request.body(),
        ip=client_ip(request),
    )
