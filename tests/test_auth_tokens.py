"""Access and refresh tokens, revocation on HTTP and WebSocket, live role changes, Origin."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.auth.permissions import Role
from tests.access_helpers import (
    api,
    edit,
    login,
    token,
    wait_closed,
    wait_denied,
    wait_field,
    ws_url,
)
from tests.conftest import Running
from tests.harness import new_invoice, seed

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256"  # tests/harness.py


async def _refused(url: str, **kw: object) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, **kw):  # type: ignore[arg-type]
            pass
    return refused.value.response.status_code


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    running: Running,
) -> None:
    server, alice = running.server, running.accounts["alice"]
    first = (await login(server, alice)).json()
    assert first["refresh_token"] and first["expires_in"] == 900
    async with api(server) as http:
        r = await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert r.status_code == 200
        second = r.json()
        assert second["refresh_token"] != first["refresh_token"]
        async with api(server, second["access_token"]) as authed:
            assert (await authed.get("/api/invoices")).status_code == 200
        # The rotated-out token comes back: stolen. The whole session ends, new tokens too.
        again = await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert again.status_code == 401
        async with api(server, second["access_token"]) as authed:
            r = await authed.get("/api/invoices")
            assert r.status_code == 401 and "session has ended" in r.json()["error"]
        third = await http.post(
            "/api/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert third.status_code == 401
        bad = await http.post("/api/auth/refresh", json={"refresh_token": 42})
        assert bad.status_code == 400
        assert bad.json()["error"] == "`refresh_token` must be a string"
        assert bad.json()["details"]


async def test_logout_revokes_on_http_and_closes_the_open_socket(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice_id = await new_invoice(server.data_dir, alice)
    bearer, other = await token(server, alice), await token(server, alice)
    async with (
        connect(ws_url(server, invoice_id, bearer)) as ws,
        connect(ws_url(server, invoice_id, other)) as kept,
    ):
        async with api(server, bearer) as http:
            assert (await http.post("/api/auth/logout")).status_code == 204
            assert (await http.get("/api/invoices")).status_code == 401
        assert await wait_closed(ws, timeout=1.0) == 1008
        # The other session of the same user is untouched.
        await edit(kept, "payment_terms", "still here")
        await wait_field(server, other, invoice_id, "payment_terms", "still here")
    assert await _refused(ws_url(server, invoice_id, bearer)) == 401


async def test_password_change_revokes_every_session(running: Running) -> None:
    server, bob = running.server, running.accounts["bob"]
    invoice_id = await new_invoice(server.data_dir, bob)
    one, two = await token(server, bob), await token(server, bob)
    async with connect(ws_url(server, invoice_id, two)) as ws:
        async with api(server, one) as http:
            wrong = await http.post(
                "/api/auth/password",
                json={"current_password": "not it", "new_password": "a new password"},
            )
            assert wrong.status_code == 401
            short = await http.post(
                "/api/auth/password", json={"current_password": bob.password, "new_password": "x"}
            )
            assert short.status_code == 400 and "at least" in short.json()["error"]
            ok = await http.post(
                "/api/auth/password",
                json={"current_password": bob.password, "new_password": "a new password"},
            )
            assert ok.status_code == 204
            assert (await http.get("/api/invoices")).status_code == 401
        assert await wait_closed(ws) == 1008
    assert (await login(server, bob)).status_code == 401
    assert (await login(server, bob, password="a new password")).status_code == 200


async def test_expired_and_forged_tokens_are_refused(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice_id = await new_invoice(server.data_dir, alice)
    now = int(time.time())
    claims = {"iss": "cofacture", "sub": alice.user_id, "typ": "access", "jti": "x", "sid": "y"}
    expired = jwt.encode(
        {"alg": "HS256"},
        {**claims, "iat": now - 100, "exp": now - 10},
        OctKey.import_key(TEST_SECRET),
    )
    unknown_session = jwt.encode(
        {"alg": "HS256"}, {**claims, "iat": now, "exp": now + 60}, OctKey.import_key(TEST_SECRET)
    )
    forged = jwt.encode(
        {"alg": "HS256"}, {**claims, "iat": now, "exp": now + 60}, OctKey.import_key("x" * 48)
    )
    for bad in (expired, unknown_session, forged):
        async with api(server, bad) as http:
            assert (await http.get("/api/invoices")).status_code == 401
        assert await _refused(ws_url(server, invoice_id, bad)) == 401


async def test_role_change_reaches_an_open_socket_within_a_second(running: Running) -> None:
    server = running.server
    admin = (await seed(server.data_dir, users={"ada": Role.ADMIN}))["ada"]
    bob = running.accounts["bob"]
    invoice_id = await new_invoice(server.data_dir, running.accounts["alice"])
    bob_token, admin_token = await token(server, bob), await token(server, admin)
    members = f"/api/orgs/{admin.org_id}/members/{bob.user_id}"
    async with (
        api(server, admin_token) as http,
        connect(ws_url(server, invoice_id, bob_token)) as ws,
    ):
        await edit(ws, "payment_terms", "editor")
        await wait_field(server, admin_token, invoice_id, "payment_terms", "editor")

        assert (await http.patch(members, json={"role": "viewer"})).status_code == 200
        started = time.monotonic()
        await edit(ws, "payment_terms", "demoted")
        assert "read-only" in await wait_denied(ws, timeout=1.0)
        assert time.monotonic() - started < 1.0

        assert (await http.patch(members, json={"role": "editor"})).status_code == 200
        await edit(ws, "payment_terms", "promoted")
        await wait_field(server, admin_token, invoice_id, "payment_terms", "promoted")

        assert (await http.delete(members)).status_code == 204
        assert await wait_closed(ws, timeout=1.0) == 1008
    assert await _refused(ws_url(server, invoice_id, bob_token)) == 404


async def test_websocket_origin_check(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    invoice_id = await new_invoice(server.data_dir, alice)
    url = ws_url(server, invoice_id, await token(server, alice))
    # No ALLOWED_ORIGINS: only the server's own origin (and clients sending none).
    assert await _refused(url, origin="https://evil.example") == 403
    async with connect(url, origin=f"http://127.0.0.1:{server.port}") as ws:  # type: ignore[arg-type]
        assert (await ws.recv())[:2] == b"\x00\x00"
    async with connect(url) as ws:
        assert (await ws.recv())[:2] == b"\x00\x00"
