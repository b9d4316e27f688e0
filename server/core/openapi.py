"""The OpenAPI description served at /api/openapi.json, assembled from one module per area."""

from __future__ import annotations

from typing import Any

from server.core.frontend import SETUP_PATHS
from server.core.openapi_access import ACCESS_PATHS
from server.core.openapi_comments import COMMENT_PATHS
from server.core.openapi_content import CONTENT_PATHS, INVOICE_SUMMARY
from server.core.openapi_schema import obj

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
