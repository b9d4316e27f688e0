"""Response bodies of the e-invoicing transmission routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.core.api import Timestamp


class TransmissionOut(BaseModel):
    id: str
    adapter: str = Field(description="the platform adapter, e.g. `filedrop`")
    status: Literal["pending", "sending", "sent", "failed"]
    attempts: int
    last_error: str | None = Field(description="why the last attempt failed")
    external_id: str | None = Field(description="what the platform calls the deposit")
    created_at: Timestamp
    updated_at: Timestamp
    next_attempt_at: Timestamp | None = Field(
        description="when the next attempt may start (for `sending`: when its lease ends)"
    )


class TransmissionList(BaseModel):
    items: list[TransmissionOut] = Field(description="oldest first")
