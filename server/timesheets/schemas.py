"""Request and response bodies of the time-entry CSV import."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.core.api import Model

Column = Annotated[str | None, Field(max_length=200, description="a column of the header")]
Amount = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    Field(examples=["120.00"]),
]


class UploadQuery(Model):
    filename: Annotated[str, Field(max_length=200, description="shown back, for people")] = ""


class TimeMapping(Model):
    """Which column holds what (null: none). A date, and `duration` or `hours`, are needed."""

    date: Column = None
    person: Column = None
    person_2: Annotated[Column, Field(description="joined to `person`, e.g. a last name")] = None
    project: Column = None
    task: Column = None
    description: Column = None
    duration: Annotated[Column, Field(description="H:MM:SS, H:MM or decimal hours")] = None
    hours: Annotated[Column, Field(description="decimal hours, 1.5 or 1,5")] = None
    rate: Annotated[Column, Field(description="a price per hour, used when the form has none")] = (
        None
    )
    billable: Annotated[Column, Field(description="rows saying no/non/false are left out")] = None


class Rate(Model):
    name: Annotated[str, StringConstraints(max_length=200), Field(description="person or task")]
    rate: Amount


class Grouping(Model):
    mapping: TimeMapping
    date_order: Annotated[
        Literal["dmy", "mdy"] | None, Field(description="slashed dates; null: guessed")
    ] = None
    group_by: Literal["project", "task"] = "project"
    rates_by: Literal["person", "task"] = "person"
    rates: Annotated[list[Rate], Field(max_length=500)] = []
    default_rate: Amount | None = None
    tax_rate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] = "20"
    language: Literal["en", "fr"] = "en"
    invoice_id: Annotated[
        str | None, Field(max_length=36, description="an existing draft; null: a new draft")
    ] = None
    currency: Annotated[
        str,
        Field(pattern="^[A-Z]{3}$", description="a new draft's (an existing one keeps its own)"),
    ] = "EUR"


class Upload(BaseModel):
    id: str
    filename: str
    encoding: Literal["utf-8", "windows-1252"]
    delimiter: str
    columns: list[str]
    sample: list[list[str]]
    rows: int
    layout: Annotated[
        Literal["toggl", "harvest", "clockify"] | None, Field(description="the tracker recognised")
    ]
    layout_title: str | None
    mapping: TimeMapping
    date_order: Literal["dmy", "mdy"]
    expires_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Line(BaseModel):
    description: str
    quantity: Annotated[str, Field(description="hours, at most 4 decimals")]
    unit: Literal["HUR"]
    unit_price: str
    tax_rate: str
    net: str
    rows: Annotated[list[int], Field(description="the file's rows it sums")]


class RowError(BaseModel):
    row: int
    message: str


class Totals(BaseModel):
    net: str
    tax: str
    gross: str


class Preview(BaseModel):
    id: str
    currency: str
    invoice_id: Annotated[str | None, Field(description="the draft the lines go into")]
    lines: list[Line]
    totals: Annotated[Totals, Field(description="of the lines added, by the money engine")]
    people: Annotated[list[str], Field(description="in the billed rows, for per-person rates")]
    tasks: list[str]
    included: Annotated[int, Field(description="rows billed")]
    skipped: Annotated[int, Field(description="rows not billable or of no time")]
    errors: list[RowError]


class Added(Preview):
    invoice_id: str
    created: Annotated[bool, Field(description="a new draft was made")]
    seq: Annotated[int | None, Field(description="the change in the draft's history")]
