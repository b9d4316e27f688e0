"""Small builders for the OpenAPI description (server/openapi*.py)."""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
INTEGER = {"type": "integer"}
DECIMAL = {"type": "string", "pattern": "^-?[0-9]+(\\\\.[0-9]+)?$", "examples": ["1234.50"]}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return {"description": description, **json_content({"$ref": "#/components/schemas/Error"})}


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, **json_content(schema)}


def query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema or STRING}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": STRING}
