"""GET /api/health: whether this process serves, and how many invoices it has open."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from server.core.api import Ctx


class Health(BaseModel):
    status: Literal["ok"]
    rooms: int  # invoices open in this process


router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=Health, summary="Liveness, and the open invoices")
async def health(ctx: Ctx) -> Health:
    return Health(status="ok", rooms=len(ctx.registry.rooms))
