"""Request and response bodies of the webhook routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.core.api import Model, Timestamp
from server.events.service import EventType

Url = Field(
    max_length=2000,
    description="http(s); by default not an address of a loopback, private, link-local or "
    "multicast network (checked again before each attempt)",
    examples=["https://hooks.example.com/cofacture"],
)
Events = Field(min_length=1, max_length=len(EventType), description="the event types it gets")


class EndpointIn(Model):
    url: str = Url
    events: list[EventType] = Events
    description: str = Field("", max_length=200, description="for people: what receives it")


class EndpointPatch(Model):
    url: str | None = Field(None, max_length=2000)
    events: list[EventType] | None = Field(None, min_length=1, max_length=len(EventType))
    description: str | None = Field(None, max_length=200)


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="why it was switched off (by whom or why)")
    failing_since: Timestamp | None = Field(
        description="the first failed attempt since its last success"
    )
    created_at: Timestamp
    updated_at: Timestamp


class EndpointCreated(EndpointOut):
    secret: str = Field(
        description="`whsec_` + base64 of 32 random bytes: shown now only; verify the "
        "`webhook-signature` with it (docs/integrations.md)"
    )


class EndpointList(BaseModel):
    items: list[EndpointOut] = Field(description="oldest first")


class SecretOut(BaseModel):
    secret: str = Field(description="the new `whsec_...` secret, shown now only")


class AttemptOut(BaseModel):
    id: str
    event_id: str = Field(description="the `webhook-id`: the same on every retry and replay")
    event_type: str
    attempt: int = Field(description="1 for the first attempt of this delivery")
    at: Timestamp
    status_code: int | None = Field(description="the HTTP answer; null: none (timeout, refused)")
    duration_ms: int
    error: str | None
    response: str | None = Field(description="the first 500 characters of the response body")
    outcome: Literal["succeeded", "retrying", "failed", "disabled"]
    next_at: Timestamp | None = Field(description="when `retrying`: the next attempt")


class AttemptList(BaseModel):
    items: list[AttemptOut] = Field(description="newest first")


class ReplayIn(Model):
    event_id: str = Field(max_length=36, description="an event of the organization (msg_...)")


class Queued(BaseModel):
    event_id: str = Field(description="the `webhook-id` the delivery carries")


class NoticeOut(BaseModel):
    id: str
    endpoint_id: str
    text: str
    created_at: Timestamp


class NoticeList(BaseModel):
    items: list[NoticeOut] = Field(description="newest first")
