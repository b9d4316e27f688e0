"""Response bodies of the job routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.core.api import Timestamp


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "dead"]
    attempts: int
    run_at: Timestamp = Field(description="when due (for `running`: when its lease ends)")
    last_error: str | None
    created_at: Timestamp
    updated_at: Timestamp


class JobList(BaseModel):
    items: list[JobOut] = Field(description="newest first")
