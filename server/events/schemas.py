"""Response bodies of the events route: the source of its OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.core.api import Timestamp


class EventOut(BaseModel):
    id: str = Field(description="`msg_` + 32 hex: the `webhook-id` of its webhooks")
    type: str
    data: dict[str, Any]
    actor_id: str | None
    at: Timestamp


class EventList(BaseModel):
    items: list[EventOut] = Field(description="newest first")
