"""The OpenAPI description served at /api/openapi.json, assembled from one module per area."""

from __future__ import annotations

from typing import Any

from server.openapi_access import ACCESS_PATHS
from server.openapi_comments import COMMENT_PATHS
from server.openapi_content import CONTENT_PATHS, INVOICE_SUMMARY
from server.openapi_schema import obj
from server.web import SETUP_PATHS

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Cofacture", "version": "0.1.0"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": obj(["error"], error={"type": "string"}),
            "InvoiceSummary": INVOICE_SUMMARY,
        },
    },
    "security": [{"bearer": []}],
    "paths": {**CONTENT_PATHS, **COMMENT_PATHS, **ACCESS_PATHS, **SETUP_PATHS},
}
