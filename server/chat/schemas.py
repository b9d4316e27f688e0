"""Request and response bodies of the chat and notification-settings routes: the source of
their OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from server.core.api import Model, Timestamp

KindName = Literal[
    "approval", "rejected", "mention", "overdue", "exception_opened", "exception_resolved"
]
ProviderName = Literal["slack", "teams"]
LanguageName = Literal["en", "fr"]


class _Named(Model):
    @field_validator("name", check_fields=False)
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("a name is one line of printable characters")
        return value


class ChannelIn(_Named):
    provider: ProviderName
    name: str = Field(min_length=1, max_length=100, description="for people: `#finance`")
    url: str = Field(
        min_length=8,
        max_length=2048,
        description="the incoming webhook's URL (https://hooks.slack.com/services/..., a Teams "
        "webhook.office.com or Power Automate workflow address); kept encrypted, shown masked",
    )
    kinds: list[KindName] = Field(max_length=6, description="what the channel receives")
    language: LanguageName = "en"


class ChannelChange(_Named):
    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, min_length=8, max_length=2048, description="a new URL")
    kinds: list[KindName] | None = Field(None, max_length=6)
    language: LanguageName | None = None
    enabled: bool | None = Field(None, description="true re-enables a channel switched off")


class ChannelOut(BaseModel):
    id: str
    provider: ProviderName
    name: str
    url: str = Field(description="masked: scheme, host and the last 4 characters")
    kinds: list[KindName]
    language: LanguageName
    enabled: bool
    disabled_reason: str | None = Field(description="why a delivery switched it off")
    last_status: int | None = Field(description="the webhook's last HTTP status")
    last_error: str | None
    last_delivery_at: Timestamp | None
    created_at: Timestamp


class ChannelList(BaseModel):
    items: list[ChannelOut] = Field(description="oldest first")
    links: bool = Field(description="false: PUBLIC_URL is unset and messages carry no link")


class TestOut(BaseModel):
    delivered: bool
    status: int | None = Field(description="the webhook's HTTP status; null: no answer")
    error: str | None
    channel: ChannelOut


class SettingsIn(Model):
    language: LanguageName = Field(description="of the e-mails and of the person's own channels")
    email: list[KindName] = Field(max_length=6, description="the kinds wanted by e-mail")


class SettingsOut(SettingsIn):
    kinds: list[KindName] = Field(description="every kind there is, in order")
