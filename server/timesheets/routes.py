"""The time-entry CSV endpoints, thin handlers over the service; the upload's body is the file."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request

from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors
from server.timesheets import service as timesheets
from server.timesheets.schemas import Added, Grouping, Preview, Upload, UploadQuery

router = APIRouter(tags=["timesheets"], responses=errors(401))

UPLOAD_PATH: Final = "/api/orgs/{org}/time-imports"
# This route's own body limit (server/core/body_limit.py), given to the middleware by app.py.
BODY_LIMITS: Final = {("POST", UPLOAD_PATH): timesheets.MAX_BYTES}

_FILE: Final = {
    "required": True,
    "description": "A tracker's CSV export (Toggl Track, Harvest, Clockify detailed reports "
    "are recognised) or any CSV whose first row names the columns. UTF-8 or Windows-1252, "
    f"`,` `;` or tab separated; at most {timesheets.MAX_BYTES} bytes, "
    f"{timesheets.MAX_ROWS} rows.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@router.post(
    UPLOAD_PATH,
    status_code=201,
    response_model=Upload,
    responses=errors(400, 403, 404, 413),
    summary="Upload time entries as CSV: the tracker recognised and its column mapping",
    description=(
        "Editors, approvers and admins (`invoice.edit`). Nothing is added: preview, then "
        "confirm, within the hour. 400 `unreadable_csv`, `bad_encoding`, `bad_header`, "
        "`too_many_rows`, `too_wide`, `empty`, `not_text`. Audited."
    ),
    openapi_extra={"requestBody": _FILE},
)
async def upload(
    caller: Caller, ctx: Ctx, org: str, request: Request, query: Annotated[UploadQuery, Query()]
) -> Any:
    return await timesheets.upload(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=org,
        filename=query.filename,
        body=await request.body(),
        ip=client_ip(request),
    )


@router.post(
    "/api/time-imports/{import_id}/preview",
    response_model=Preview,
    responses=errors(400, 403, 404, 409),
    summary="The lines and totals this grouping and these rates would add; writes nothing",
    description="400 `bad_mapping`, `bad_rate`. Another organization's draft is a 404.",
)
async def preview(caller: Caller, ctx: Ctx, import_id: str, body: Grouping) -> Any:
    return await timesheets.preview(
        ctx.sessions,
        user_id=caller.user_id,
        import_id=import_id,
        chosen=timesheets.choice(body.model_dump()),
    )


@router.post(
    "/api/time-imports/{import_id}/confirm",
    response_model=Added,
    responses=errors(400, 403, 404, 409),
    summary="Add the lines to a new or an existing draft, as the caller's change, once",
    description=(
        "The lines go through the draft's live room: open editors see them at once, and the "
        "history attributes them to the caller. 409 `already_confirmed`, `too_many_lines`, "
        "or a draft that is no longer one. Audited."
    ),
)
async def confirm(
    caller: Caller, ctx: Ctx, import_id: str, body: Grouping, request: Request
) -> Any:
    return await timesheets.confirm(
        ctx.sessions,
        ctx.registry,
        user_id=caller.user_id,
        import_id=import_id,
        chosen=timesheets.choice(body.model_dump()),
        ip=client_ip(request),
    )
