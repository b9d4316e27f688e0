"""GET|PUT /api/orgs/{org}/accounting/chart and the exports /api/orgs/{org}/exports/fec and
/exports/journal.csv: thin handlers over the service (docs/integrations.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from server.accounting import fec, journal
from server.accounting import service as accounting
from server.accounting.schemas import ChartAnswer, ChartModel, ExportSummary, FecQuery, JournalQuery
from server.auth.service import Caller
from server.core.api import Ctx, client_ip, errors

router = APIRouter(prefix="/api/orgs/{org}", tags=["accounting"], responses=errors(401, 404))


def _file(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "the file; its summary as JSON to `Accept: application/json`",
            "content": {media_type: {}},
        }
    }


def _answer(made: accounting.File, request: Request) -> Any:
    accept = request.headers.get("accept", "")
    if "application/json" in accept:
        return made.summary
    headers = {
        "Content-Disposition": f'attachment; filename="{made.file_name}"',
        "Cache-Control": "private, no-store",
        "X-Content-SHA256": made.summary["sha256"],
    }
    return Response(made.content, media_type=made.media_type, headers=headers)


@router.get(
    "/accounting/chart",
    response_model=ChartAnswer,
    responses=errors(403),
    summary="The chart of accounts the exports use, and the defaults (accountants, admins)",
)
async def read_chart(caller: Caller, ctx: Ctx, org: str) -> Any:
    return await accounting.read_chart(ctx.sessions, user_id=caller.user_id, org_id=org)


@router.put(
    "/accounting/chart",
    response_model=ChartAnswer,
    responses=errors(400, 403),
    summary="Replace the chart of accounts (accountants, admins); audited",
)
async def write_chart(
    caller: Caller, ctx: Ctx, org: str, body: ChartModel, request: Request
) -> Any:
    return await accounting.save_chart(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=org,
        ip=client_ip(request),
        new=body.model_dump(),
    )


@router.get(
    "/exports/fec",
    response_model=ExportSummary,
    response_model_by_alias=True,
    responses={**errors(400, 403, 409, 422), **_file(fec.MEDIA_TYPE)},
    summary="The FEC (LPF art. A47 A-1) of a period (accountants, admins); audited",
    description=(
        "ISO 8859-15, `|` or tab separated, named `<SIREN>FEC<to as AAAAMMJJ>.txt`. 422 "
        "`foreign_currency` lists the documents in another currency than the euro."
    ),
)
async def export_fec(
    caller: Caller, ctx: Ctx, org: str, query: Annotated[FecQuery, Query()], request: Request
) -> Any:
    made = await accounting.export(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=org,
        ip=client_ip(request),
        file_format=accounting.FEC,
        start=query.from_,
        end=query.to,
        separator=query.separator,
    )
    return _answer(made, request)


@router.get(
    "/exports/journal.csv",
    response_model=ExportSummary,
    response_model_by_alias=True,
    responses={**errors(400, 403), **_file(journal.MEDIA_TYPE)},
    summary="The accounting entries of a period as a CSV journal (accountants, admins); audited",
)
async def export_journal(
    caller: Caller, ctx: Ctx, org: str, query: Annotated[JournalQuery, Query()], request: Request
) -> Any:
    made = await accounting.export(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=org,
        ip=client_ip(request),
        file_format=accounting.CSV,
        start=query.from_,
        end=query.to,
    )
    return _answer(made, request)
