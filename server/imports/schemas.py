"""Query and answer of the import route: the source of its OpenAPI. The request body is the file
itself (XML or PDF), described in routes.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.core.api import InvoiceStatus, Model, Timestamp


class ImportQuery(Model):
    org: Annotated[str | None, Field(max_length=36, description="when the caller has several")] = (
        None
    )


class ImportSource(BaseModel):
    """What the file was."""

    syntax: Literal["ubl", "cii"]
    container: Literal["xml", "pdf"] = Field(description="pdf: a Factur-X PDF's embedded XML")
    number: str = Field(description="BT-1 as written in the file (the draft does not keep it)")
    type_code: str = Field(description="BT-3 as written in the file")
    valid: bool = Field(description="whether the XML passed the XSD and EN 16931 Schematron")


class ImportedTotals(BaseModel):
    """The draft's totals as the money engine computes them (decimal strings)."""

    net: str | None
    tax: str | None
    gross: str | None


class ImportResult(BaseModel):
    """The new draft (GET /api/invoices/{id} has the rest) and what could not be carried."""

    id: str
    org_id: str
    kind: Literal["invoice"]
    status: InvoiceStatus
    created_by: str
    created_at: Timestamp
    customer_name: str | None
    currency: str | None
    line_count: int
    totals: ImportedTotals
    source: ImportSource
    warnings: list[str] = Field(
        description="what the draft does not hold (named by EN 16931 BT/BG), figures that "
        "differ from the file's, and the file's own EN 16931 findings"
    )
