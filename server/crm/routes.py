"""The customer CSV endpoints, thin handlers over the service; the upload's body is the file."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, Response

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.crm import service as crm
from server.crm.columns import EXPORT_FIELDS
from server.crm.schemas import ExportOut, Imported, MappingBody, Preview, Upload, UploadQuery

router = APIRouter(tags=["crm"], responses=errors(401))

UPLOAD_PATH: Final = "/api/orgs/{org}/customer-imports"
# This route's own body limit (server/core/body_limit.py), given to the middleware by app.py.
BODY_LIMITS: Final = {("POST", UPLOAD_PATH): crm.MAX_BYTES}
CSV_TYPE: Final = "text/csv; charset=utf-8"

_FILE: Final = {
    "required": True,
    "description": "A CSV file whose first row names the columns: UTF-8 (with or without "
    "BOM) or Windows-1252, separated by `,` `;` or tabs. At most "
    f"{crm.MAX_BYTES} bytes and {crm.MAX_ROWS} rows.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@router.get(
    "/api/orgs/{org}/customers.csv",
    response_model=ExportOut,
    responses={
        200: {
            "description": "The CSV file (the default), or it as JSON",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **errors(403, 404),
    },
    summary="The organization's customers as CSV (UTF-8 with BOM, formula-safe)",
    description="Every member. Columns: " + ", ".join(EXPORT_FIELDS) + ". Audited.",
)
async def export_customers(caller: Caller, ctx: Ctx, org: str, request: Request) -> Any:
    body, count = await crm.export(
        ctx.sessions, user_id=caller.user_id, org_id=org, ip=client_ip(request)
    )
    filename = "customers.csv"
    if "application/json" in request.headers.get("accept", ""):
        return {"filename": filename, "count": count, "csv": body.decode("utf-8")}
    return Response(
        body,
        media_type=CSV_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    UPLOAD_PATH,
    status_code=201,
    response_model=Upload,
    responses=errors(400, 403, 404, 413),
    summary="Upload a customer CSV: its columns, first rows and a proposed column mapping",
    description=(
        "Editors, approvers and admins (`invoice.create`, as the customer API). Nothing is "
        "imported: preview, then confirm, within the hour. 400 `unreadable_csv`, "
        "`bad_encoding`, `bad_header`, `too_many_rows`, `too_wide`, `empty`, `not_text`. "
        "Audited."
    ),
    openapi_extra={"requestBody": _FILE},
)
async def upload(
    caller: Caller, ctx: Ctx, org: str, request: Request, query: Annotated[UploadQuery, Query()]
) -> Any:
    return await crm.upload(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=org,
        filename=query.filename,
        body=await request.body(),
        ip=client_ip(request),
    )


@router.post(
    "/api/customer-imports/{import_id}/preview",
    response_model=Preview,
    responses=errors(400, 403, 404, 409),
    summary="What importing with this mapping would do to each row; writes nothing",
)
async def preview(caller: Caller, ctx: Ctx, import_id: str, body: MappingBody) -> Any:
    return await crm.preview(
        ctx.sessions,
        user_id=caller.user_id,
        import_id=import_id,
        mapping=body.mapping.model_dump(),
    )


@router.post(
    "/api/customer-imports/{import_id}/confirm",
    response_model=Imported,
    responses=errors(400, 403, 404, 409),
    summary="Import the good rows, in one transaction, once (409 `already_confirmed`)",
    description="Decided again on the customers as they are now. Audited.",
)
async def confirm(
    caller: Caller, ctx: Ctx, import_id: str, body: MappingBody, request: Request
) -> Any:
    return await crm.confirm(
        ctx.sessions,
        user_id=caller.user_id,
        import_id=import_id,
        mapping=body.mapping.model_dump(),
        ip=client_ip(request),
    )
