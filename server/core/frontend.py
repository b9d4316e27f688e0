"""The browser app: the built front end (web/dist) and the first-run setup.

`GET /` serves `web/dist/index.html` and `/assets/...` its hashed files; the routes are added
after every `/api` and `/ws` route, so they never shadow them. The first-run endpoints create
the first organization and its administrator on a database without any user, once: afterwards
`GET /api/setup` answers `{"needed": false}` and `POST /api/setup` is refused with 403.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import accounts
from server.auth.access import json_body
from server.auth.models import User
from server.auth.permissions import Role
from server.core.api import client_ip, ctx_of
from server.core.errors import BadRequest, Forbidden

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
SETUP_LOCK_KEY = 0x0C0FAC  # PostgreSQL advisory lock: one first-run setup at a time

# The page loads only its own scripts and styles; the QR code of two-factor enrolment is a
# data: image; WebSockets go back to this host.
CSP = (
    "default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
_NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Cofacture</title>
<p>The web app is not built yet: run <code>./scripts/setup.sh</code> (or
<code>./scripts/serve.sh</code>), which builds <code>web/dist</code>.</p></html>"""

# One process never runs two setups at once; the database lock below covers several processes.
_setup_lock = asyncio.Lock()


async def index(_: Request) -> Response:
    page = DIST / "index.html"
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    if not page.is_file():
        return HTMLResponse(_NOT_BUILT, status_code=503, headers=headers)
    return FileResponse(page, media_type="text/html", headers=headers)


class _Assets(StaticFiles):
    """Hashed file names never change content: cache them for a year."""

    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


async def _user_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)


async def setup_status(request: Request) -> JSONResponse:
    async with ctx_of(request).sessions() as db:
        needed = await _user_count(db) == 0
    return JSONResponse({"needed": needed})


async def _lock_for_setup(db: AsyncSession) -> None:
    """Hold the database's write lock for the rest of the transaction, so that a concurrent
    setup (another process) waits here and then sees the user this one creates."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's RESERVED lock even when it changes no row.
        await db.execute(text("DELETE FROM users WHERE 0"))


def _field(data: dict[str, Any], key: str, max_length: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"`{key}` is required")
    if len(value) > max_length:
        raise BadRequest(f"`{key}` is longer than {max_length} characters")
    return value


async def setup(request: Request) -> JSONResponse:
    data = await json_body(request)
    org_name = _field(data, "organization", 200)
    email = _field(data, "email", 320)
    password = _field(data, "password", 1000)
    name = data.get("name") if isinstance(data.get("name"), str) else ""
    async with _setup_lock, ctx_of(request).sessions() as db:
        await _lock_for_setup(db)
        if await _user_count(db) > 0:
            raise Forbidden("this server is already set up: sign in instead")
        org = await accounts.create_org(db, name=org_name)
        user = await accounts.create_user(
            db, org=org, email=email, password=password, role=Role.ADMIN, name=str(name)[:200]
        )
        audit.record(
            db,
            AuditKind.MEMBER_ADDED,
            actor_id=user.id,
            ip=client_ip(request),
            target=user.email,
            org_id=org.id,
            detail="first-run setup: organization and administrator created",
        )
        await db.commit()
    return JSONResponse(
        {"org_id": org.id, "org_name": org.name, "user_id": user.id, "email": user.email},
        status_code=201,
    )


def routes() -> list[BaseRoute]:
    """The setup API, then the front end; mount these after every other route."""
    return [
        Route("/api/setup", setup_status, methods=["GET"]),
        Route("/api/setup", setup, methods=["POST"]),
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/index.html", index, methods=["GET", "HEAD"]),
        Mount("/assets", app=_Assets(directory=DIST / "assets", check_dir=False), name="assets"),
    ]


_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


SETUP_PATHS: dict[str, Any] = {
    "/api/setup": {
        "get": {
            "summary": "Whether the first-run setup is still to be done (no user exists yet)",
            "security": [],
            "responses": {
                "200": {
                    "description": "Setup state",
                    **_json(
                        {
                            "type": "object",
                            "properties": {"needed": {"type": "boolean"}},
                            "required": ["needed"],
                        }
                    ),
                }
            },
        },
        "post": {
            "summary": "First run: create the first organization and its administrator",
            "description": "Only on a database without any user, atomically; 403 afterwards.",
            "security": [],
            "requestBody": _json(
                {
                    "type": "object",
                    "properties": {
                        "organization": {"type": "string", "maxLength": 200},
                        "name": {"type": "string"},
                        "email": {"type": "string"},
                        "password": {"type": "string", "minLength": 8},
                    },
                    "required": ["organization", "email", "password"],
                }
            ),
            "responses": {
                "201": {
                    "description": "Created; sign in with the email and password",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "org_id": {"type": "string"},
                                "org_name": {"type": "string"},
                                "user_id": {"type": "string"},
                                "email": {"type": "string"},
                            },
                        }
                    ),
                },
                "400": {"description": "Missing or invalid field", **_json(_ERROR)},
                "403": {"description": "Already set up", **_json(_ERROR)},
            },
        },
    }
}
