"""Request and response bodies of the invoice routes: the source of their OpenAPI description."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from server.core.api import InvoiceStatus, Model, Timestamp

# Money travels as decimal strings, never floats; computed by the server.
Decimal = Annotated[str, Field(description="a decimal string", examples=["1234.50"])]
Sort = Literal[
    "created_at", "updated_at", "due_date", "issue_date", "gross", "customer", "status",
    "-created_at", "-updated_at", "-due_date", "-issue_date", "-gross", "-customer", "-status",
]  # fmt: skip
MAX_PAGE = 200


class CreateInvoice(Model):
    org: Annotated[str | None, Field(max_length=36, description="when the caller has several")] = (
        None
    )


class InvoiceListQuery(Model):
    status: list[InvoiceStatus] = Field(
        default=[], description="filter by status (repeatable); discarded only when asked for"
    )
    q: Annotated[str | None, Field(max_length=200, description="text in the customer's name")] = (
        None
    )
    due_before: Annotated[date | None, Field(description="due on or before")] = None
    due_after: Annotated[date | None, Field(description="due on or after")] = None
    org: Annotated[str | None, Field(max_length=36, description="one organization only")] = None
    sort: Sort = Field(default="-created_at", description="order; prefix - for descending")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description="page size")
    offset: int = Field(default=0, ge=0, le=10**9, description="rows to skip")


class ShortTotals(BaseModel):
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None


class InvoiceSummary(BaseModel):
    id: str
    org_id: str
    status: InvoiceStatus
    kind: Literal["invoice", "credit_note"] = Field(
        default="invoice", description="EN 16931 type: 380 invoice or 381 credit note"
    )
    number: str | None
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp | None
    customer_name: str | None
    currency: str | None
    issue_date: str | None
    due_date: str | None
    totals: ShortTotals
    line_count: int | None
    issue_count: int | None
    assignee_id: str | None = Field(
        default=None, description="who should act next (the workflow's); null: nobody in particular"
    )


class InvoicePage(BaseModel):
    items: list[InvoiceSummary]
    total: int
    limit: int
    offset: int


class TaxLine(BaseModel):
    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal


class Totals(BaseModel):
    """Computed by the server (EN 16931); totals sent by clients are ignored."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    due: Decimal
    line_total: Decimal
    document_discount: Decimal = Field(description="the header discount's part of BT-107")
    allowances: Decimal = Field(description="BT-107: the document-level allowances")
    charges: Decimal = Field(description="BT-108: the document-level charges")
    tax_breakdown: list[TaxLine]
    line_nets: dict[str, Decimal]
    adjustments: dict[str, Decimal] = Field(
        description="what each counted allowance or charge came to, by its row id"
    )
    complete: bool


class Problem(BaseModel):
    path: str
    code: str
    message: str
    severity: Literal["error", "warning"] = Field(
        default="error", description="an error stops a submit; a warning is only shown"
    )


class InvoiceDetail(InvoiceSummary):
    invoice: dict[str, Any] = Field(description="the header map of the document")
    lines: list[dict[str, Any]] = Field(description="the lines of the document")
    adjustments: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the document's allowances and charges (EN 16931 BG-20/21/27/28)",
    )
    totals: Totals | None = Field(  # type: ignore[assignment]
        description="null when the currency is unknown"
    )
    validation: list[Problem]


# -- history (docs/history.md) ----------------------------------------------------------------

MAX_SEQ = 2**31 - 1


class HistoryQuery(Model):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE, description="entries per page")
    before: int | None = Field(
        default=None, ge=1, le=MAX_SEQ, description="only entries older than this seq (cursor)"
    )


class HistoryAuthor(BaseModel):
    id: str
    name: str


class HistoryEntry(BaseModel):
    """One field changed by one person; their consecutive edits of it (typing) are one entry."""

    path: str = Field(examples=["invoice.due_date", "lines.l1.unit_price", "lines.l1"])
    kind: Literal["changed", "added", "removed"]
    before: Any = Field(description="the value before (a line as an object); null when absent")
    after: Any = Field(description="the value after; null when removed")
    author: HistoryAuthor | None = Field(description="null: the server itself")
    at: Timestamp = Field(description="time of the last update of the entry")
    first_at: Timestamp
    seq: int = Field(description="the last update of the entry: restore to it with this seq")
    first_seq: int
    updates: int = Field(description="how many updates the entry groups")


class HistoryPage(BaseModel):
    items: list[HistoryEntry] = Field(description="newest first")
    next_before: int | None = Field(description="`before` of the next (older) page; null: last")
    replayed: int = Field(description="log entries replayed to compute it")


class RestoreRequest(Model):
    seq: int = Field(ge=1, le=MAX_SEQ, description="restore the content as it was after it")


class RestoreResult(BaseModel):
    restored: int = Field(description="the seq whose content the draft now has")
    seq: int | None = Field(description="the update that restored it; null: nothing differed")
