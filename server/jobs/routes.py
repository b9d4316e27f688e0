"""The job queue's endpoints for admins: what runs in the background, the dead letter, a retry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Caller, Capability, require
from server.core.api import Ctx, client_ip, errors
from server.core.errors import NotFound
from server.jobs import service as jobs
from server.jobs.models import Job
from server.jobs.schemas import JobList, JobOut

router = APIRouter(tags=["jobs"], responses=errors(401))


@router.get(
    "/api/orgs/{org}/jobs",
    response_model=JobList,
    responses=errors(403, 404),
    summary="The organization's background jobs; `status=dead` is the dead letter (admins)",
)
async def get_jobs(
    caller: Caller,
    ctx: Ctx,
    org: str,
    status: Annotated[Literal["queued", "running", "done", "dead"] | None, Query()] = None,
) -> Any:
    async with ctx.sessions() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
        rows = await jobs.listing(db, org_id=org, status=status)
    return {"items": [_job(row) for row in rows]}


@router.post(
    "/api/orgs/{org}/jobs/{job_id}/retry",
    response_model=JobOut,
    responses=errors(403, 404),
    summary="Queue a dead job again, its attempts reset (admins); audited",
)
async def post_retry(caller: Caller, ctx: Ctx, org: str, job_id: str, request: Request) -> Any:
    async with ctx.sessions.begin() as db:
        await require(db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS)
        row = await jobs.retry(db, org_id=org, job_id=job_id)
        if row is None:
            raise NotFound("no such dead job")
        audit.record(
            db,
            AuditKind.JOB_RETRIED,
            actor_id=caller.user_id,
            ip=client_ip(request),
            org_id=org,
            target=f"job {job_id}",
            detail=row.kind,
        )
        answer = _job(row)
    jobs.nudge()
    return answer


def _job(row: Job) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "attempts": row.attempts,
        "run_at": row.run_at.isoformat(),
        "last_error": row.last_error,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
