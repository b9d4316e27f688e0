"""The access-control surface is documented: OpenAPI has every route, docs/security.md every
capability, role, audit event and access setting."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route

from server.audit.service import AuditKind
from server.auth import members_routes as members_api
from server.auth import oidc
from server.auth import routes as auth_api
from server.auth.permissions import Capability, Role
from server.core.app import create_app
from server.core.openapi import OPENAPI
from server.core.settings import SETTINGS, Settings
from tests.harness import ROOT


def test_openapi_describes_every_api_route_and_method(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)})
    api_routes = [r for r in create_app(settings).routes if isinstance(r, Route)]
    assert {r.path for r in [*auth_api.routes, *members_api.routes, *oidc.routes]} <= {
        r.path for r in api_routes
    }
    for route in api_routes:
        if not route.path.startswith("/api/"):
            continue
        assert isinstance(route, Route)
        described = OPENAPI["paths"].get(route.path)
        assert described is not None, route.path
        for method in route.methods or ():
            if method != "HEAD":
                assert method.lower() in described, (route.path, method)


def test_security_page_names_every_capability_role_event_and_setting() -> None:
    page = (ROOT / "docs" / "security.md").read_text()
    for name in [*Capability, *Role, *AuditKind]:
        assert f"{name.value}" in page, name
    access_settings = [s.name for s in SETTINGS if s.name.startswith(("AUTH_", "OIDC_"))]
    for name in [*access_settings, "ALLOWED_ORIGINS", "REFRESH_TOKEN_TTL", "ACCESS_TOKEN_TTL"]:
        assert f"`{name}`" in page, name
