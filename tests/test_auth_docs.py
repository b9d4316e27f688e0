"""The access-control surface is documented: OpenAPI has every route, docs/security.md every
capability, role, audit event and access setting."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts

from server.audit import routes as audit_api
from server.audit.service import AuditKind
from server.auth import members_routes as members_api
from server.auth import oidc
from server.auth import routes as auth_api
from server.auth.permissions import Capability, Role
from server.core.app import create_app
from server.core.settings import SETTINGS, Settings
from tests.harness import ROOT


def test_openapi_describes_every_api_route_and_method(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)})
    app = create_app(settings)
    spec = app.openapi()  # the same document /api/openapi.json serves
    # Every route as the app matches it, routers' prefixes applied.
    routes = [r for r in iter_route_contexts(app.routes) if (r.path or "").startswith("/api/")]
    access = [auth_api.router, members_api.router, oidc.router, audit_api.router]
    access_endpoints = {
        r.endpoint for router in access for r in router.routes if isinstance(r, APIRoute)
    }
    assert access_endpoints <= {r.endpoint for r in routes}
    paths = {r.path for r in routes if r.endpoint in access_endpoints}
    assert {"/api/setup", "/api/me", "/api/orgs/{org}/audit", "/api/auth/oidc/login"} <= paths
    for route in routes:
        if route.path == "/api/openapi.json":
            continue  # the document itself
        assert isinstance(route.original_route, APIRoute), f"{route.path} is not a typed route"
        described = spec["paths"].get(route.path)
        assert described is not None, route.path
        for method in route.methods or ():
            if method != "HEAD":
                assert method.lower() in described, (route.path, method)
                assert described[method.lower()]["summary"], (route.path, method)


def test_security_page_names_every_capability_role_event_and_setting() -> None:
    page = (ROOT / "docs" / "security.md").read_text()
    for name in [*Capability, *Role, *AuditKind]:
        assert f"{name.value}" in page, name
    access_settings = [s.name for s in SETTINGS if s.name.startswith(("AUTH_", "OIDC_"))]
    for name in [*access_settings, "ALLOWED_ORIGINS", "REFRESH_TOKEN_TTL", "ACCESS_TOKEN_TTL"]:
        assert f"`{name}`" in page, name
