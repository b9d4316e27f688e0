"""The OpenAPI description served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from server.openapi_access import ACCESS_PATHS

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_json({"$ref": "#/components/schemas/Error"})}


_INVOICE_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "org_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["draft"]},
        "number": {"type": ["string", "null"]},
        "created_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "org_id", "status", "number", "created_by", "created_at"],
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Cofacture", "version": "0.1.0"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _ERROR, "InvoiceSummary": _INVOICE_SUMMARY},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/auth/login": {
            "post": {
                "summary": "Exchange email and password for a bearer token",
                "security": [],
                "requestBody": _json(
                    {
                        "type": "object",
                        "properties": {
                            "email": {"type": "string"},
                            "password": {"type": "string"},
                            "totp": {"type": "string"},
                        },
                        "required": ["email", "password"],
                    }
                ),
                "responses": {
                    "200": {
                        "description": "A token",
                        **_json(
                            {
                                "type": "object",
                                "properties": {
                                    "access_token": {"type": "string"},
                                    "token_type": {"const": "bearer"},
                                    "expires_in": {"type": "integer"},
                                },
                            }
                        ),
                    },
                    "400": _error("Malformed request"),
                    "401": _error("Bad credentials"),
                },
            }
        },
        "/api/invoices": {
            "post": {
                "summary": "Create an invoice draft",
                "requestBody": _json(
                    {
                        "type": "object",
                        "properties": {"org": {"type": "string", "description": "organization id"}},
                    }
                ),
                "responses": {
                    "201": {
                        "description": "Created",
                        **_json({"$ref": "#/components/schemas/InvoiceSummary"}),
                    },
                    "400": _error("Malformed request"),
                    "401": _error("Missing or bad token"),
                    "403": _error("Role may not create invoices"),
                },
            },
            "get": {
                "summary": "Invoices of the caller's organizations, newest first",
                "responses": {
                    "200": {
                        "description": "Invoices",
                        **_json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/InvoiceSummary"},
                                    }
                                },
                            }
                        ),
                    },
                    "401": _error("Missing or bad token"),
                },
            },
        },
        "/api/invoices/{invoice_id}": {
            "get": {
                "summary": "One invoice with its live document content",
                "parameters": [
                    {
                        "name": "invoice_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The invoice: summary fields plus `invoice` and `lines`",
                        **_json(
                            {
                                "allOf": [
                                    {"$ref": "#/components/schemas/InvoiceSummary"},
                                    {
                                        "type": "object",
                                        "properties": {
                                            "invoice": {"type": "object"},
                                            "lines": {"type": "array", "items": {"type": "object"}},
                                        },
                                    },
                                ]
                            }
                        ),
                    },
                    "401": _error("Missing or bad token"),
                    "404": _error("No such invoice, or not visible to the caller"),
                },
            }
        },
    },
}

# The access-control routes (login, tokens, two-factor, members) are described there.
OPENAPI["paths"].update(ACCESS_PATHS)
