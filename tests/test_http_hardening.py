"""HTTP hardening (issue 10, defects 10 and 11): idle and half-sent connections are closed,
forwarded headers are believed only from trusted proxies, every answer carries the security
headers, and the browser's refresh token is an httpOnly cookie scoped to /api/auth."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from server.auth.permissions import Role
from tests.access_helpers import login, server_with, token
from tests.harness import new_invoice, wait_for

QUICK = {"HTTP_HEADER_TIMEOUT": "1", "HTTP_KEEP_ALIVE": "1"}


async def _closed_by_server(reader: asyncio.StreamReader) -> bool:
    try:
        return await reader.read(1024) == b"" or await reader.read(1024) == b""
    except ConnectionError:
        return True


async def test_idle_and_half_sent_connections_are_closed(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"ada": Role.ADMIN}, **QUICK) as (server, made):
        streams = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(20)]
        for i, (_, writer) in enumerate(streams):
            if i % 2:  # half a request head, never finished
                writer.write(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
                await writer.drain()
        started = time.monotonic()
        closed = await asyncio.wait_for(
            asyncio.gather(*(_closed_by_server(reader) for reader, _ in streams)), timeout=10
        )
        assert all(closed) and time.monotonic() - started < 8
        for _, writer in streams:
            writer.close()

        # A connection in use is not cut: a request after a pause longer than the head timeout
        # on a kept-alive connection simply opens a new one; a WebSocket stays open.
        invoice_id = await new_invoice(tmp_path, made["ada"])
        bearer = await token(server, made["ada"])
        async with connect(f"{server.ws}/{invoice_id}?token={bearer}") as ws:
            await ws.recv()  # the server's sync step 1
            deadline = time.monotonic() + 1.5

            async def past_the_timeout() -> bool:
                return time.monotonic() > deadline

            await wait_for(past_the_timeout, timeout=3, what="the head timeout to pass")
            pong = await ws.ping()
            await asyncio.wait_for(pong, 2)


async def test_forwarded_headers_only_from_trusted_proxies(tmp_path: Path) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    for trusted, expected in (("", "127.0.0.1"), ("127.0.0.1", "203.0.113.7")):
        env = {"TRUSTED_PROXIES": trusted} if trusted else {}
        async with server_with(tmp_path / (trusted or "none"), {"ada": Role.ADMIN}, **env) as (
            server,
            made,
        ):
            ada = made["ada"]
            async with httpx.AsyncClient(
                timeout=30.0, base_url=server.http, headers=spoofed
            ) as http:
                r = await http.post(
                    "/api/auth/login", json={"email": ada.email, "password": ada.password}
                )
                assert r.status_code == 200
                bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
                audit = await http.get(f"/api/orgs/{ada.org_id}/audit", headers=bearer)
            signed_in = [e for e in audit.json()["items"] if e["event"] == "login.ok"]
            assert [e["ip"] for e in signed_in] == [expected], signed_in


async def test_security_headers_on_every_answer(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"ada": Role.ADMIN}) as (server, _):
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            answers = [
                await http.get("/api/health"),
                await http.get("/api/no-such-route"),
                await http.get("/api/me", headers={"Authorization": "Bearer forged"}),
                await http.post("/api/auth/login", content=b"{"),
                await http.get("/"),
            ]
        for r in answers:
            assert r.headers["x-content-type-options"] == "nosniff", r.url
            assert r.headers["referrer-policy"] == "no-referrer", r.url


async def test_refresh_token_cookie(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"ada": Role.ADMIN}) as (server, made):
        r = await login(server, made["ada"])
        cookie = r.headers["set-cookie"]
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert cookie.startswith(f"cofacture_refresh={r.json()['refresh_token']};")
        assert {"httponly", "samesite=strict", "path=/api/auth"} <= attributes
        assert "secure" not in attributes  # plain http (localhost): Secure only over https
        # A browser sends the cookie back, to /api/auth only, with no body on refresh.
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as browser:

            async def post(path: str, value: str, **headers: str) -> httpx.Response:
                browser.cookies.clear()
                return await browser.post(
                    path, headers={"cookie": f"cofacture_refresh={value}", **headers}
                )

            first = await post("/api/auth/refresh", r.json()["refresh_token"])
            assert first.status_code == 200, first.text
            rotated = first.json()["refresh_token"]
            assert first.headers["set-cookie"].startswith(f"cofacture_refresh={rotated};")
            second = await post("/api/auth/refresh", rotated)
            assert second.status_code == 200
            latest = second.json()
            bearer = f"Bearer {latest['access_token']}"
            out = await post("/api/auth/logout", latest["refresh_token"], authorization=bearer)
            assert out.status_code == 204
            assert out.headers["set-cookie"].startswith('cofacture_refresh="";')
            ended = await post("/api/auth/refresh", latest["refresh_token"])
            assert ended.status_code == 401
            assert (await post("/api/auth/refresh", "")).status_code == 401
