"""Request and response bodies of the credit-note routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.core.api import InvoiceStatus, Model, Timestamp


class CreditNoteRequest(Model):
    lines: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]] | None,
        Field(
            min_length=1,
            max_length=1000,
            description="ids of the original's lines to credit; absent or null: the whole "
            "invoice (cancelling it once the credit note is issued)",
        ),
    ] = None


class CreditedInvoice(BaseModel):
    id: str
    number: str | None
    issue_date: str | None


class CreditNoteCreated(BaseModel):
    """The new credit-note draft (GET /api/invoices/{id} has the rest)."""

    id: str
    org_id: str
    kind: Literal["credit_note"]
    status: InvoiceStatus
    created_by: str
    created_at: Timestamp
    credits: CreditedInvoice = Field(description="the invoice this credit note credits")
    warnings: list[str] = Field(description="what could not be carried over from the invoice")


class CreditNoteItem(BaseModel):
    id: str
    number: str | None = Field(description="from the credit-note series, once issued")
    status: InvoiceStatus
    gross: str = Field(description="what it credits (final once issued)")
    created_at: Timestamp


class CreditNoteList(BaseModel):
    currency: str
    gross: str = Field(description="the invoice's gross")
    credited: str = Field(description="the sum of its issued credit notes")
    remaining: str = Field(description="what can still be credited")
    items: list[CreditNoteItem] = Field(description="oldest first")
