"""GET /api/health: whether this process serves and can make updates durable (503 when not).
GET /api/ready: whether a load balancer should send it new connections (503 while it hands its
clients over before stopping, or while storage is unavailable).

Degraded means edits are being refused (docs/reliability.md, storage faults): the persister
cannot write, the database does not answer, or the SQLite file is gone (503); or, with several
processes, that Redis cannot be reached (200: this process keeps serving its own clients, and
reconciles with the others when Redis is back; docs/deploy.md).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import JSONResponse

from server.core.api import Ctx
from server.core.db import sqlite_path

# A database that takes longer than this to answer SELECT 1 is not serving edits either.
PING_SECONDS = 2.0


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    storage: Literal["ok", "unavailable"]
    reason: str | None  # why storage is unavailable
    pending_updates: int  # accepted updates not yet durable
    quarantined: int  # entries the database refused since start (kept aside, logged)
    set_aside: int  # stored entries a load could not replay since start (kept, logged)
    rooms: int  # invoices open in this process
    fanout: Literal["ok", "unavailable", "off"]  # reaching the other processes (REDIS_URL)
    fanout_reason: str | None  # why they cannot be reached: edits here reach them later
    processes: int  # other processes heard from (REDIS_URL set)


router = APIRouter(tags=["health"])


@router.get(
    "/api/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "storage unavailable: edits are refused"}},
    summary="Liveness, storage state and the open invoices",
)
async def health(ctx: Ctx) -> Health | JSONResponse:
    persister = ctx.registry.persister
    reason = await _storage_problem(ctx)
    bus = ctx.bus
    fanout = None if bus is None else bus.problem
    report = Health(
        status="ok" if reason is None and fanout is None else "degraded",
        storage="ok" if reason is None else "unavailable",
        reason=reason,
        pending_updates=persister.pending,
        quarantined=len(persister.quarantined),
        set_aside=ctx.registry.set_aside,
        rooms=len(ctx.registry.rooms),
        fanout="off" if bus is None else "ok" if fanout is None else "unavailable",
        fanout_reason=fanout,
        processes=0 if bus is None else len(bus.processes),
    )
    if reason is None:
        return report
    return JSONResponse(report.model_dump(), status_code=503)


async def _storage_problem(ctx: Ctx) -> str | None:
    """Why updates cannot be made durable now: the persister's own failure, or what it cannot
    see while nobody edits (an unreachable database, a deleted SQLite file)."""
    if failing := ctx.registry.persister.degraded:
        return failing
    path = sqlite_path(ctx.settings.database_url)
    if path is not None and not await asyncio.to_thread(path.exists):
        return f"the database file {path} is missing"
    try:
        async with asyncio.timeout(PING_SECONDS), ctx.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}: {exc}"[:300]
    return None


class Ready(BaseModel):
    ready: bool
    reason: str | None  # why not: stopping, or storage unavailable


@router.get(
    "/api/ready",
    response_model=Ready,
    responses={503: {"model": Ready, "description": "stopping, or storage unavailable"}},
    summary="Whether this process should be sent new connections",
)
async def ready(ctx: Ctx) -> Ready | JSONResponse:
    reason = "shutting down" if ctx.registry.handing_over else await _storage_problem(ctx)
    if reason is None:
        return Ready(ready=True, reason=None)
    return JSONResponse(Ready(ready=False, reason=reason).model_dump(), status_code=503)
