"""Request and response bodies of the customer CSV import and export."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.core.api import Model

Column = Annotated[str | None, Field(max_length=200, description="a column of the header")]
Outcome = Literal["create", "update", "unchanged", "error"]


class UploadQuery(Model):
    filename: Annotated[str, Field(max_length=200, description="shown back, for people")] = ""


class CustomerMapping(Model):
    """Which column fills which customer field (null: none). `name` is required."""

    external_id: Column = None
    name: Column = None
    email: Column = None
    vat_id: Column = None
    siren: Column = None
    line1: Column = None
    line2: Column = None
    postcode: Column = None
    city: Column = None
    country: Column = None


class MappingBody(Model):
    mapping: CustomerMapping


class Upload(BaseModel):
    id: str
    filename: str
    encoding: Literal["utf-8", "windows-1252"]
    delimiter: Annotated[str, Field(examples=[",", ";", "\t"])]
    columns: list[str]
    sample: Annotated[list[list[str]], Field(description="the first rows, as read")]
    rows: int
    mapping: Annotated[CustomerMapping, Field(description="proposed from the column names")]
    expires_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class RowResult(BaseModel):
    row: Annotated[int, Field(description="the row's number in the file (the header is 1)")]
    outcome: Outcome
    customer_id: str | None
    matched_by: Literal["external_id", "vat_id", "siren", "email"] | None
    changes: Annotated[list[str], Field(description="the fields an update changes")]
    errors: list[str]
    values: dict[str, str]


class Counts(BaseModel):
    create: int
    update: int
    unchanged: int
    error: int


class Preview(BaseModel):
    id: str
    counts: Counts
    rows: list[RowResult]


class Imported(Preview):
    confirmed_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class ExportOut(BaseModel):
    """The export as JSON (`Accept: application/json`): the same file as text."""

    filename: str
    count: Annotated[int, Field(description="customers in the file")]
    csv: Annotated[str, Field(description="the file's text, BOM included")]
