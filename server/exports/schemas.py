"""Answers of the export routes: the source of their OpenAPI description. The XML or PDF itself is
the default answer (`application/xml`, `application/pdf`); `ExportOut` and `RenderOut` are the
JSON ones, for clients that ask for them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class FindingOut(BaseModel):
    rule: str = Field(description="the rule broken: BR-CO-15, BR-S-02, ...; XSD or XML for syntax")
    message: str
    location: str = Field(description="where: an XPath for a rule, a line for the XSD")


class ExportOut(BaseModel):
    """The XML with the result of its XSD and EN 16931 Schematron checks."""

    syntax: Literal["cii", "ubl"]
    number: str = Field(description='BT-1 as written: the legal number, or "DRAFT"')
    valid: bool = Field(description="no fatal finding: the XML is EN 16931 compliant")
    fatal: list[FindingOut]
    warnings: list[FindingOut]
    xml: str


# The 200 answer as XML, next to the JSON model FastAPI describes from `ExportOut`.
XML_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "The XML (`application/xml`, the default), or with `Accept: application/json` the "
            "XML and its check as JSON. Headers give the check's result either way."
        ),
        "content": {"application/xml": {"schema": {"type": "string"}}},
        "headers": {
            "X-EN16931-Valid": {
                "description": "`true` when the XSD and the Schematron found no fatal error",
                "schema": {"type": "string", "enum": ["true", "false"]},
            },
            "X-EN16931-Fatal": {
                "description": "the ids of the fatal rules broken, space-separated",
                "schema": {"type": "string"},
            },
        },
    }
}


class RenderOut(BaseModel):
    """A PDF as JSON: what it is, and its bytes in base64."""

    format: Literal["pdf", "facturx"]
    number: str = Field(description='the legal number, or "DRAFT" (the PDF then shows none)')
    draft: bool = Field(description="a draft's PDF: watermarked, rendered on every request")
    template: Literal["classic", "modern"]
    lang: Literal["en", "fr"]
    size: int = Field(description="bytes")
    sha256: str
    pdf: str = Field(description="the PDF, base64")


class PreviewOut(BaseModel):
    """The PDF's first pages as PNG images, for the editor's preview."""

    number: str = Field(description='the legal number, or "DRAFT"')
    draft: bool
    template: Literal["classic", "modern"]
    lang: Literal["en", "fr"]
    page_count: int = Field(description="pages of the PDF (the images may be fewer)")
    pages: list[str] = Field(description="each page as a `data:image/png;base64,...` URI")


def pdf_answer(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer as a PDF, next to the JSON model FastAPI describes from `RenderOut`."""
    return {
        200: {
            "description": description,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }


class PlacedFinding(BaseModel):
    path: str = Field(
        description="the field to fix (invoice.customer.vat_id, lines.<id>.tax_rate, "
        "profile.vat_id for the seller profile), else the XPath the validator reported"
    )
    rule: str = Field(description="the EN 16931 rule: BR-CO-15, BR-IC-02, ...")
    message: str = Field(description="the rule's own text (English, as CEN publishes it)")


class ComplianceOut(BaseModel):
    checked: str = Field(
        description="a key of the content checked (the same content, the same key)"
    )
    valid: bool = Field(description="no fatal finding: the invoice could be issued as it stands")
    fatal: list[PlacedFinding] = Field(description="what would refuse the issue")
    warnings: list[PlacedFinding]
