"""Single sign-on against an OpenID provider the test runs itself; and configured origins."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.auth.permissions import Role
from tests.access_helpers import api, server_with, token, ws_url
from tests.harness import ServerProcess, new_invoice
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider


async def _sso(server: ServerProcess, provider: Provider, user: dict[str, Any]) -> httpx.Response:
    provider.next_user = user
    async with httpx.AsyncClient(timeout=30.0) as browser:  # keeps the state cookie, like a browser
        start = await browser.get(f"{server.http}/api/auth/oidc/login")
        assert start.status_code == 302, start.text
        assert start.headers["location"].startswith(f"{provider.issuer}/authorize?")
        back = await browser.get(start.headers["location"])
        assert back.status_code == 302
        return await browser.get(back.headers["location"])


async def test_single_sign_on_matches_verified_emails_to_members(tmp_path: Path) -> None:
    async with running_provider() as provider:
        env = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "ALLOWED_ORIGINS": "https://app.example, https://admin.example",
        }
        users = {"alice": Role.EDITOR}
        async with server_with(tmp_path, users, **env) as (server, accounts):
            alice = accounts["alice"]
            claims = {"sub": "idp-1", "email": alice.email.upper(), "email_verified": True}
            r = await _sso(server, provider, claims)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["token_type"] == "bearer" and body["refresh_token"]
            async with api(server, body["access_token"]) as http:
                assert (await http.get("/api/me")).json()["id"] == alice.user_id

            r = await _sso(server, provider, {**claims, "email_verified": False})
            assert r.status_code == 403 and "verified" in r.json()["error"]
            r = await _sso(server, provider, {**claims, "email": "stranger@else.test"})
            assert r.status_code == 403 and r.json() == {
                "error": "no Cofacture membership for this email"
            }

            # A forged callback (no state of ours) is refused.
            async with httpx.AsyncClient(timeout=30.0) as browser:
                r = await browser.get(f"{server.http}/api/auth/oidc/callback?code=x&state=y")
            assert r.status_code == 401 and r.json() == {"error": "single sign-on failed"}

            # With a second factor, the provider must say it checked one (amr).
            async with api(server, body["access_token"]) as http:
                secret = (await http.post("/api/auth/2fa/enroll")).json()["secret"]
                code = pyotp.TOTP(secret).at(time.time())
                assert (
                    await http.post("/api/auth/2fa/confirm", json={"code": code})
                ).status_code == 200
            r = await _sso(server, provider, {**claims, "amr": ["pwd"]})
            assert r.status_code == 403 and r.json() == {"error": "totp_required"}
            r = await _sso(server, provider, {**claims, "amr": ["pwd", "mfa"]})
            assert r.status_code == 200

            # Configured origins: listed ones pass, others (even the server's own) do not.
            bearer = r.json()["access_token"]
            url = ws_url(server, await new_invoice(server.data_dir, alice), bearer)
            async with connect(url, origin="https://admin.example") as ws:  # type: ignore[arg-type]
                assert (await ws.recv())[:2] == b"\x00\x00"
            for origin in ("https://evil.example", f"http://127.0.0.1:{server.port}"):
                with pytest.raises(InvalidStatus) as refused:
                    async with connect(url, origin=origin):  # type: ignore[arg-type]
                        pass
                assert refused.value.response.status_code == 403


async def test_single_sign_on_is_off_without_settings(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"alice": Role.EDITOR}) as (server, accounts):
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            r = await http.get("/api/auth/oidc/login")
            assert r.status_code == 404 and r.json() == {
                "error": "single sign-on is not configured"
            }
        assert await token(server, accounts["alice"])
