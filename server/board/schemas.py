"""The board's cards, filters, live frames and priority weights: the source of its OpenAPI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.core.api import InvoiceStatus, Model, Timestamp

Stage = Literal["draft", "submitted", "approved", "issued", "overdue", "partially_paid", "paid"]
DayCount = Annotated[int, Field(ge=0)]


class Overdue(BaseModel):
    code: Literal["overdue"]
    days: DayCount = Field(description="days past the due date")


class DueIn(BaseModel):
    code: Literal["due_in"]
    days: DayCount = Field(description="days until the due date (0: today)")


class Amount(BaseModel):
    code: Literal["amount"]
    value: str = Field(description="the gross, a decimal string")
    currency: str


class KeyAccount(BaseModel):
    code: Literal["key_account"]


class ImportantCustomer(BaseModel):
    code: Literal["important_customer"]


Reason = Annotated[
    Overdue | DueIn | Amount | KeyAccount | ImportantCustomer, Field(discriminator="code")
]


class PriorityOut(BaseModel):
    score: int = Field(ge=0, le=100)
    reasons: list[Reason] = Field(description="those that contributed, most important first")


class Person(BaseModel):
    id: str
    name: str


class Present(BaseModel):
    user_id: str
    name: str
    colour: str


class ExceptionRef(BaseModel):
    id: str
    category: str


class Card(BaseModel):
    """One invoice on the board (docs/board.md)."""

    id: str
    number: str | None = Field(description="null for drafts")
    kind: Literal["invoice", "credit_note"]
    status: InvoiceStatus
    stage: Stage = Field(description="the column: the status, or overdue (derived, not stored)")
    customer: str = Field(description="the customer's name, '' when none yet")
    gross: str = Field(description="decimal string, in `currency`")
    currency: str
    due_date: str | None = Field(description="YYYY-MM-DD")
    issue_date: str | None
    created_at: Timestamp
    updated_at: Timestamp | None
    assignee: Person | None
    priority: PriorityOut
    threads: int = Field(ge=0, description="open comment threads")
    exceptions: list[ExceptionRef] = Field(description="open exceptions")
    present: list[Present] = Field(description="people in the invoice now")


class WeightsModel(Model):
    """How much each factor weighs in the priority score (integers from 0 to 100)."""

    amount: int = Field(ge=0, le=100, examples=[40])
    due: int = Field(ge=0, le=100, examples=[40])
    customer: int = Field(ge=0, le=100, examples=[20])


class WeightsOut(BaseModel):
    amount: int
    due: int
    customer: int


class Board(BaseModel):
    cards: list[Card]
    weights: WeightsOut


class BoardQuery(Model):
    org: Annotated[str | None, Field(max_length=36, description="when the caller has several")] = (
        None
    )
    assignee: Annotated[str | None, Field(max_length=36, description="a user id")] = None
    customer: Annotated[
        str | None, Field(max_length=200, description="text in the customer's name")
    ] = None
    min: Annotated[Decimal | None, Field(description="smallest gross")] = None
    max: Annotated[Decimal | None, Field(description="largest gross")] = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    mine: bool = Field(default=False, description="only the cards assigned to the caller")
    sort: Literal["priority", "due", "amount", "updated"] = "priority"


# -- the live channel's frames (/ws/board/{org_id}), documented here, sent as JSON text ------


class SnapshotFrame(BaseModel):
    type: Literal["snapshot"]
    cards: list[Card]
    at: Timestamp


class CardFrame(BaseModel):
    type: Literal["card"]
    card: Card


class RemoveFrame(BaseModel):
    type: Literal["remove"]
    id: str
