"""Request and response bodies of the mail routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from server.core.api import Model, Timestamp
from server.mail.sending import address

Email = Annotated[str, Field(max_length=320), AfterValidator(address)]


class SendInvoice(Model):
    to: list[Email] | None = Field(
        None, max_length=10, description="default: the customer's e-mail on the invoice"
    )
    cc: list[Email] = Field(default_factory=list, max_length=10)
    message: str | None = Field(
        None, max_length=2000, description="a personal note placed in the body"
    )
    language: Literal["en", "fr"] | None = Field(
        None, description="of the message and the PDF; default: French for a French seller"
    )


class MessageOut(BaseModel):
    id: str
    invoice_id: str | None
    purpose: str = Field(description="the template it was written from, e.g. `invoice`")
    language: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    attachments: list[str] = Field(description="file names")
    status: Literal["outbox", "queued", "sent", "failed"] = Field(
        description="`outbox`: no SMTP server is configured, it waits here; `queued`: being "
        "delivered; `sent`; `failed`: the server refused it for good (see `last_error`)"
    )
    created_by: str | None
    created_at: Timestamp
    sent_at: Timestamp | None
    last_error: str | None


class MessageList(BaseModel):
    items: list[MessageOut] = Field(description="newest first")


class TemplateIn(Model):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)


class TemplateOut(TemplateIn):
    purpose: str
    language: str
    own: bool = Field(description="the organization's own; false: the product's default")
    variables: list[str] = Field(description="what the template may use, as {{ name }}")
