"""/api/openapi.json is generated from the routes' models, valid OpenAPI 3.1, and complete:
every /api route is a typed route with a response model (or an empty answer) and is described
with its request body and its error answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from openapi_spec_validator import validate

from server.core.app import create_app
from server.core.settings import Settings

EMPTY_ANSWERS = {204, 302, 303, 307}  # no body to describe


@pytest.fixture(scope="module")
def app_and_spec(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    data = Path(tmp_path_factory.mktemp("openapi"))
    app = create_app(Settings.from_env({"SECRET_KEY": "k" * 40, "DATA_DIR": str(data)}))
    return app, app.openapi()


def _api_routes(app: Any) -> list[RouteContext]:
    """Every route as the app matches it, routers' prefixes applied."""
    return [r for r in iter_route_contexts(app.routes) if (r.path or "").startswith("/api/")]


def test_the_spec_is_valid_openapi_3_1(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises with the offending path when the document is not valid


def test_every_api_route_has_its_models(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    app, spec = app_and_spec
    routes = [r for r in _api_routes(app) if r.path != "/api/openapi.json"]
    assert len(routes) > 30
    untyped = [r.path for r in routes if not isinstance(r.original_route, APIRoute)]
    assert untyped == [], "routes without models (plain Starlette routes)"
    for context in routes:
        route = context.original_route
        assert isinstance(route, APIRoute)
        for method in (context.methods or set()) - {"HEAD"}:
            operation = spec["paths"][context.path][method.lower()]
            answers = operation["responses"]
            ok = [code for code in answers if code.startswith(("2", "3"))]
            assert ok, (context.path, method)
            if int(ok[0]) not in EMPTY_ANSWERS:
                assert route.response_model is not None, (context.path, method, "no model")
                assert "schema" in answers[ok[0]]["content"]["application/json"]
            if route.body_field is not None:
                assert "requestBody" in operation, (context.path, method)
                assert "400" in answers, (context.path, method, "input can be refused")


def test_errors_share_one_schema(app_and_spec: tuple[Any, dict[str, Any]]) -> None:
    _, spec = app_and_spec
    error = spec["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    refs = {
        answer["content"]["application/json"]["schema"].get("$ref")
        for path in spec["paths"].values()
        for operation in path.values()
        for code, answer in operation["responses"].items()
        if code.startswith("4")
    }
    assert refs == {"#/components/schemas/ErrorBody"}
