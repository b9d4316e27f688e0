"""The HTTP API's shared plumbing: the error body, error mapping, and typed-model helpers.

Every request and response body is a pydantic model declared once in a feature's `schemas.py`;
FastAPI validates input with it, serialises output with it and generates `/api/openapi.json`
from it. This module turns every failure into the documented `{"error": "..."}` body, in one
place: service errors (`ApiError`), HTTP errors, and validation errors (400, with a `details`
list of field paths).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from server.core.context import AppContext
from server.core.errors import ApiError

MAX_BODY_BYTES = 64 * 1024  # JSON bodies are small; read as a stream and cut at this size


# Shared by every feature's schemas: a timestamp, and the invoice states of
# collab.invoice.workflow.State (tests/test_workflow_api.py checks they agree).
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
InvoiceStatus = Literal[
    "draft", "submitted", "approved", "issued", "partially_paid", "paid", "cancelled", "discarded"
]


class Model(BaseModel):
    """Base of request bodies and queries: unknown request fields are refused, not ignored,
    so a typo (`"emial"`) is a clear 400 rather than a silent default; text that no database
    can store (NUL, a lone UTF-16 surrogate such as `"\\ud800"`) is a 400 too, checked once
    here for every field of every model rather than failing as a 500 when it is written."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        where = unstorable_text(data)
        if where is not None:
            raise PydanticCustomError(
                "unstorable_text",
                "{path} contains a character that cannot be stored (NUL or a lone surrogate)",
                {"path": f"`{where}`" if where else "the body"},
            )
        return data


def unstorable_text(data: object) -> str | None:
    """The dotted path of the first string (key or value) holding NUL or a lone surrogate;
    None when there is none. Iterative: a deeply nested value cannot exhaust the stack."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return path
                stack.append((item, inner))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(value))
    return None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ErrorDetail(BaseModel):
    path: str  # dotted, e.g. `address.city`; empty for the body itself
    message: str


class ErrorBody(BaseModel):
    error: str
    code: str | None = None
    details: list[ErrorDetail] | None = None


_DESCRIPTIONS = {
    400: "Malformed request; `error` says what is wrong, `details` which fields",
    401: "Missing, bad, expired or revoked token",
    403: "The caller's role does not allow this",
    404: "No such resource, or not visible to the caller",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "Well-formed but unusable (an amount that is zero, negative or too precise)",
    429: "Too many failed attempts; retry after the `Retry-After` seconds",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route can answer."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


def ctx_of(conn: HTTPConnection) -> AppContext:
    ctx: AppContext = conn.app.state.ctx
    return ctx


def client_ip(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client else None


def _ctx(request: Request) -> AppContext:
    return ctx_of(request)


Ctx = Annotated[AppContext, Depends(_ctx)]  # a handler's view of the application's resources


# -- validation errors to the documented body -------------------------------------------------

_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "list_type": "must be a list",
    "enum": "must be one of the documented values",
    "literal_error": "must be one of the documented values",
}


def _path(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes where the value came from (body, query, path); the client knows that.
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path") else loc
    return ".".join(str(p) for p in parts)


def _message(error: dict[str, Any]) -> str:
    kind, path = error.get("type", ""), _path(error.get("loc", ()))
    if kind == "json_invalid":
        return "request body is not valid JSON"
    if not path and kind in ("model_attributes_type", "dict_type", "model_type"):
        return "request body must be a JSON object"
    if not path and kind == "missing":
        return "request body is required"
    if kind == "extra_forbidden":
        return f"unknown field {path!r}"
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return f"`{path}` cannot be empty"
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"`{path}` is longer than {limit} characters"
    if kind in _MESSAGES:
        return f"`{path}` {_MESSAGES[kind]}"
    text = str(error.get("msg", "is invalid"))
    text = text.removeprefix("Value error, ")
    return f"`{path}`: {text}" if path else text


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    found = list(exc.errors())
    details = [{"path": _path(e.get("loc", ())), "message": _message(e)} for e in found]
    return {"error": details[0]["message"] if details else "invalid request", "details": details}


# -- exception handlers ------------------------------------------------------------------------

DeniedHook = Callable[[Request, ApiError], Awaitable[None]]


def exception_handlers(
    on_denied: DeniedHook,
) -> dict[int | type[Exception], Callable[[Request, Any], Coroutine[Any, Any, Response]]]:
    """Handlers that give every error the documented body; `on_denied` sees every 403."""

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        body: dict[str, Any] = {"error": exc.message}
        if exc.code:
            body["code"] = exc.code
        if exc.details:
            body["details"] = [{"path": path, "message": text} for path, text in exc.details]
        if exc.status == 403:
            await on_denied(request, exc)
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    async def invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(validation_body(exc), status_code=400)

    async def too_deep(_: Request, exc: Exception) -> Response:
        # json.loads (of a body, or of a value inside one) recurses once per nesting level.
        return JSONResponse({"error": "request body is nested too deeply"}, status_code=400)

    return {
        ApiError: api_error,
        HTTPException: http_error,
        RequestValidationError: invalid,
        RecursionError: too_deep,
    }


# -- the OpenAPI document ------------------------------------------------------------------------


def install_openapi(app: FastAPI) -> None:
    """Generate /api/openapi.json from the routes' models, with validation failures described as
    what they are here, a 400 `ErrorBody`, instead of FastAPI's default 422 schema."""

    def generate() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            for route, path in spec.get("paths", {}).items():
                for operation in path.values():
                    answers = operation.get("responses", {})
                    if route.startswith("/api/orgs/{org}"):
                        # Any organization route answers 403 `totp_enrollment_required` to a
                        # member the organization's 2FA policy holds back (docs/security.md).
                        answers.setdefault("403", _error_answer(403))
                    if _default_422(answers.get("422")):  # FastAPI's, not a route's own
                        del answers["422"]
                        answers.setdefault("400", _error_answer(400))
                    if "requestBody" in operation:
                        answers.setdefault("413", _error_answer(413))
            schemas = spec.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = generate  # type: ignore[method-assign]


def _default_422(answer: dict[str, Any] | None) -> bool:
    return answer is not None and "HTTPValidationError" in str(answer)


def _error_answer(status: int) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": schema}},
    }
