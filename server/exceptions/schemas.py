"""Request and response bodies of the exception routes: the source of their OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.core.api import Model, Timestamp

Category = Literal[
    "dispute", "refund_request", "cancellation_request", "pricing_error", "missing_po", "other"
]
Status = Literal["open", "resolved"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class NewException(Model):
    category: Category
    note: Note = Field(description="what is wrong, for the expert (1-2000 characters)")


class Resolution(Model):
    resolution: Note = Field(description="how it was resolved (1-2000 characters)")


class NewComment(Model):
    body: Body


class Person(BaseModel):
    id: str
    name: str


class InvoiceRef(BaseModel):
    id: str
    number: str | None = Field(description="null for a draft")
    customer: str


class ExceptionModel(BaseModel):
    id: str
    org_id: str
    invoice: InvoiceRef
    category: Category
    note: str
    status: Status
    opened_by: Person
    opened_at: Timestamp
    expert: Person | None = Field(description="who it was routed to; null: the org's admins")
    routed_to: Literal["expert", "admins"]
    resolution: str | None
    resolved_by: Person | None
    resolved_at: Timestamp | None


class ExceptionList(BaseModel):
    items: list[ExceptionModel] = Field(description="open ones first, each group oldest first")


class CommentModel(BaseModel):
    id: str
    exception_id: str
    author: Person
    body: str
    created_at: Timestamp


class CommentList(BaseModel):
    items: list[CommentModel] = Field(description="oldest first")


class Experts(Model):
    """The expert of each category (a member id); null or absent: the organization's admins."""

    dispute: str | None = None
    refund_request: str | None = None
    cancellation_request: str | None = None
    pricing_error: str | None = None
    missing_po: str | None = None
    other: str | None = None


class LogQuery(Model):
    from_: dt.date | None = Field(
        None, alias="from", description="first day of opening (UTC), included"
    )
    to: dt.date | None = Field(None, description="last day of opening (UTC), included")
    category: Category | None = None
    status: Status | None = None


class CategoryCounts(BaseModel):
    dispute: int
    refund_request: int
    cancellation_request: int
    pricing_error: int
    missing_po: int
    other: int


class MonthCounts(BaseModel):
    month: str = Field(description="YYYY-MM (UTC) of opening")
    counts: CategoryCounts
    total: int


class ExceptionLog(BaseModel):
    items: list[ExceptionModel] = Field(description="newest first, at most 1000")
    truncated: bool = Field(description="more exceptions matched than `items` holds")
    months: list[MonthCounts] = Field(description="per month of opening, oldest first")
    totals: CategoryCounts
