"""The KPI and report endpoints, thin handlers over the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from server.auth.service import Caller
from server.core.api import Ctx, errors
from server.reports import files
from server.reports import service as reports
from server.reports.schemas import Kpis, Period, Report, ReportName, ReportQuery

router = APIRouter(tags=["reports"], responses=errors(401))

_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or the same rows as a file with `format=csv|xlsx`",
        "content": {files.CSV_TYPE: {}, files.XLSX_TYPE: {}},
    }
}


@router.get(
    "/api/kpis",
    response_model=Kpis,
    response_model_by_alias=True,
    responses=errors(400, 403, 404),
    summary="The team's KPIs over a period, each with its definition (every member)",
)
async def kpis(caller: Caller, ctx: Ctx, query: Annotated[Period, Query()]) -> Any:
    return await reports.kpis(
        ctx.sessions, user_id=caller.user_id, org_id=query.org, start=query.from_, end=query.to
    )


@router.get(
    "/api/reports/{name}",
    response_model=Report,
    response_model_by_alias=True,
    responses={**errors(400, 403, 404), **_FILES},
    summary="A report over a period as JSON, CSV or XLSX (every member)",
    description=(
        "aged_receivables, revenue_by_customer, revenue_by_month, vat_collected, "
        "invoices_by_status. The CSV and XLSX carry the JSON's `columns` as their header and "
        "the same values row for row."
    ),
)
async def report(
    caller: Caller, ctx: Ctx, name: ReportName, query: Annotated[ReportQuery, Query()]
) -> Any:
    answer = await reports.report(
        ctx.sessions,
        user_id=caller.user_id,
        org_id=query.org,
        name=name,
        start=query.from_,
        end=query.to,
    )
    if query.format == "json":
        return answer
    made = await reports.download(answer, query.format)
    disposition = f'attachment; filename="{made.filename}"'
    return Response(
        made.content, media_type=made.media_type, headers={"Content-Disposition": disposition}
    )
