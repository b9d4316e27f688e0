"""The browser app: the built front end (web/dist).

`GET /` serves `web/dist/index.html` and `/assets/...` its hashed files; the routes are added
after every `/api` and `/ws` route, so they never shadow them. The first-run setup the app
starts with is auth's (server/auth/setup.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"

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


def routes() -> list[BaseRoute]:
    """The front end; mount these after every other route."""
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/index.html", index, methods=["GET", "HEAD"]),
        Mount("/assets", app=_Assets(directory=DIST / "assets", check_dir=False), name="assets"),
    ]
