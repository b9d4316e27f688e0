"""Answers of the export routes: the source of their OpenAPI description. The XML itself is the
default answer (`application/xml`); `ExportOut` is the JSON one, for clients that ask for it."""

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
