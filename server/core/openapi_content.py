"""OpenAPI paths of the invoice and catalogue routes (merged into server/openapi.py)."""

from __future__ import annotations

from typing import Any

from server.core.openapi_schema import (
    DECIMAL,
    INTEGER,
    STRING,
    error,
    json_content,
    obj,
    ok,
    path_param,
    query,
)

_UNAUTHORIZED = error("Missing, bad, expired or revoked token")
_BAD = error("Malformed request; the message says what is wrong")

_TOTALS_SHORT = obj(net=DECIMAL, tax=DECIMAL, gross=DECIMAL)
INVOICE_SUMMARY = obj(
    ["id", "org_id", "status", "number", "created_by", "created_at", "totals"],
    id={"type": "string", "format": "uuid"},
    org_id={"type": "string", "format": "uuid"},
    status={"type": "string", "enum": ["draft", "submitted", "approved", "issued"]},
    number={"type": ["string", "null"]},
    created_by=STRING,
    created_at={"type": "string", "format": "date-time"},
    updated_at={"type": ["string", "null"], "format": "date-time"},
    customer_name={"type": ["string", "null"]},
    currency=STRING,
    issue_date={"type": ["string", "null"], "format": "date"},
    due_date={"type": ["string", "null"], "format": "date"},
    totals=_TOTALS_SHORT,
    line_count=INTEGER,
    issue_count=INTEGER,
)
_TOTALS = {
    "type": ["object", "null"],
    "description": "Computed by the server (EN 16931); null when the currency is unknown",
    "properties": {
        "currency": STRING,
        "net": DECIMAL,
        "tax": DECIMAL,
        "gross": DECIMAL,
        "due": DECIMAL,
        "line_total": DECIMAL,
        "document_discount": DECIMAL,
        "tax_breakdown": {
            "type": "array",
            "items": obj(category=STRING, rate=DECIMAL, base=DECIMAL, amount=DECIMAL),
        },
        "line_nets": {"type": "object", "additionalProperties": DECIMAL},
        "complete": {"type": "boolean"},
    },
}
_VALIDATION = {"type": "array", "items": obj(path=STRING, code=STRING, message=STRING)}
_INVOICE_DETAIL = {
    "allOf": [
        {"$ref": "#/components/schemas/InvoiceSummary"},
        obj(
            invoice={"type": "object", "description": "the header map of the document"},
            lines={"type": "array", "items": {"type": "object"}},
            totals=_TOTALS,
            validation=_VALIDATION,
        ),
    ]
}

_SORTS = ["created_at", "updated_at", "due_date", "issue_date", "gross", "customer", "status"]
_LIST_PARAMETERS = [
    query("status", "filter by status (repeatable)"),
    query("q", "text in the customer's name"),
    query("due_before", "due on or before (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    query("due_after", "due on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    query("org", "one organization's invoices only"),
    query(
        "sort",
        "order; prefix - for descending",
        {"type": "string", "enum": [*_SORTS, *(f"-{s}" for s in _SORTS)]},
    ),
    query("limit", "page size, 1 to 200 (default 50)", INTEGER),
    query("offset", "rows to skip", INTEGER),
]

_CUSTOMER_FIELDS = [
    "name",
    "email",
    "vat_id",
    "siren",
    "line1",
    "line2",
    "postcode",
    "city",
    "country",
]
_ITEM_FIELDS = ["name", "description", "unit", "unit_price", "tax_rate"]


def _catalogue(name: str, fields: list[str], required: list[str]) -> dict[str, Any]:
    record = obj(
        ["id", "org_id", *required],
        id=STRING,
        org_id=STRING,
        created_at=STRING,
        **dict.fromkeys(fields, STRING),
    )
    body = obj(required, org=STRING, **dict.fromkeys(fields, STRING))
    return {
        f"/api/{name}": {
            "get": {
                "summary": f"The {name} of the caller's organizations",
                "parameters": [query("q", "text in the name"), query("org", "one organization")],
                "responses": {
                    "200": ok(name, obj(items={"type": "array", "items": record})),
                    "401": _UNAUTHORIZED,
                },
            },
            "post": {
                "summary": f"Add to the {name} (editors, approvers, admins)",
                "requestBody": json_content(body),
                "responses": {
                    "201": ok("created", record),
                    "400": _BAD,
                    "401": _UNAUTHORIZED,
                    "403": error("Role may not change the catalogue"),
                },
            },
        },
        f"/api/{name}/{{record_id}}": {
            method: {
                "summary": summary,
                "parameters": [path_param("record_id")],
                **(
                    {"requestBody": json_content(obj(None, **dict.fromkeys(fields, STRING)))}
                    if method == "patch"
                    else {}
                ),
                "responses": {
                    ("204" if method == "delete" else "200"): ok(summary, record),
                    "401": _UNAUTHORIZED,
                    "403": error("Role may not change the catalogue"),
                    "404": error("No such record, or another organization's"),
                },
            }
            for method, summary in (
                ("get", "One record"),
                ("patch", "Change some fields"),
                ("delete", "Remove it"),
            )
        },
    }


CONTENT_PATHS: dict[str, Any] = {
    "/api/invoices": {
        "post": {
            "summary": "Create an invoice draft",
            "requestBody": json_content(obj(org={"type": "string", "description": "org id"})),
            "responses": {
                "201": ok("Created", {"$ref": "#/components/schemas/InvoiceSummary"}),
                "400": _BAD,
                "401": _UNAUTHORIZED,
                "403": error("Role may not create invoices"),
            },
        },
        "get": {
            "summary": "Invoices of the caller's organizations: filtered, sorted, paginated",
            "parameters": _LIST_PARAMETERS,
            "responses": {
                "200": ok(
                    "One page",
                    obj(
                        items={
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/InvoiceSummary"},
                        },
                        total=INTEGER,
                        limit=INTEGER,
                        offset=INTEGER,
                    ),
                ),
                "400": _BAD,
                "401": _UNAUTHORIZED,
            },
        },
    },
    "/api/invoices/{invoice_id}": {
        "get": {
            "summary": "One invoice: its live document, server-computed totals and validation",
            "parameters": [path_param("invoice_id")],
            "responses": {
                "200": ok("The invoice", _INVOICE_DETAIL),
                "401": _UNAUTHORIZED,
                "404": error("No such invoice, or not visible to the caller"),
            },
        }
    },
    "/api/health": {
        "get": {
            "summary": "Liveness and the number of loaded invoices",
            "security": [],
            "responses": {"200": ok("Up", obj(status=STRING, rooms=INTEGER))},
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This description",
            "security": [],
            "responses": {"200": ok("OpenAPI 3.1", {"type": "object"})},
        }
    },
    **_catalogue("customers", _CUSTOMER_FIELDS, ["name"]),
    **_catalogue("items", _ITEM_FIELDS, ["name", "unit_price", "tax_rate"]),
}
