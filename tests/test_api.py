"""The HTTP API against a real server process: login, invoices, errors, OpenAPI."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Running
from tests.harness import YjsClients, wait_for


async def _client(running: Running, who: str | None = None) -> httpx.AsyncClient:
    headers = {}
    if who is not None:
        headers["Authorization"] = f"Bearer {await running.server.login(running.accounts[who])}"
    return httpx.AsyncClient(timeout=30.0, base_url=running.server.http, headers=headers)


async def test_login_gives_a_bearer_token_and_refuses_bad_credentials(running: Running) -> None:
    alice = running.accounts["alice"]
    async with await _client(running) as http:
        ok = await http.post(
            "/api/auth/login", json={"email": alice.email, "password": alice.password}
        )
        assert ok.status_code == 200
        body = ok.json()
        assert body["token_type"] == "bearer" and body["expires_in"] > 0 and body["access_token"]
        wrong = await http.post("/api/auth/login", json={"email": alice.email, "password": "nope!"})
        unknown = await http.post("/api/auth/login", json={"email": "x@y.z", "password": "nope!"})
        # The same answer for an unknown email and a wrong password.
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json() == {"error": "invalid email or password"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "request body is not valid JSON"),
        (b"[1, 2]", "request body must be a JSON object"),
        (b'{"email": 3, "password": "x"}', "`email` must be a string"),
        (b'{"email": "a@b.c"}', "`password` is required"),
    ],
)
async def test_malformed_login_requests_get_clear_errors(
    running: Running, body: bytes, message: str
) -> None:
    async with await _client(running) as http:
        r = await http.post("/api/auth/login", content=body)
    assert r.status_code == 400 and r.json()["error"] == message
    assert r.json()["details"]


async def test_invoices_need_a_valid_token(running: Running) -> None:
    async with await _client(running) as http:
        assert (await http.get("/api/invoices")).status_code == 401
        bad = await http.get("/api/invoices", headers={"Authorization": "Bearer forged"})
        assert bad.status_code == 401 and bad.json() == {"error": "invalid or expired token"}
        assert (await http.post("/api/invoices")).status_code == 401


async def test_create_read_and_list_invoices(running: Running, yjs: YjsClients) -> None:
    async with await _client(running, "alice") as http:
        created = await http.post("/api/invoices", json={})
        assert created.status_code == 201
        invoice = created.json()
        assert invoice["status"] == "draft" and invoice["number"] is None
        listed = (await http.get("/api/invoices")).json()["items"]
        assert [i["id"] for i in listed] == [invoice["id"]]

        token = await running.server.login(running.accounts["bob"])
        await yjs.call("open", name="b", url=running.server.ws, room=invoice["id"], token=token)
        await yjs.call("set", name="b", key="currency", value="EUR")
        await yjs.call(
            "pushLine", name="b", line={"id": "l1", "description": "Design", "quantity": "2"}
        )

        async def document_has_the_edits() -> bool:
            body = (await http.get(f"/api/invoices/{invoice['id']}")).json()
            assert body["invoice"] == {"currency": "EUR"}
            assert body["lines"] == [{"id": "l1", "description": "Design", "quantity": "2"}]
            return True

        await wait_for(document_has_the_edits, what="the live document in the API")


async def test_viewers_cannot_create_invoices(running: Running) -> None:
    async with await _client(running, "vera") as http:
        r = await http.post("/api/invoices", json={})
    assert r.status_code == 403 and "cannot create" in r.json()["error"]


async def test_unknown_and_malformed_invoice_ids_are_404(running: Running) -> None:
    async with await _client(running, "alice") as http:
        for invoice_id in ("00000000-0000-0000-0000-000000000000", "nope", "'; drop table"):
            r = await http.get(f"/api/invoices/{invoice_id}")
            assert r.status_code == 404 and r.json() == {"error": "no such invoice"}


async def test_openapi_describes_every_route(running: Running) -> None:
    async with await _client(running) as http:
        spec = (await http.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/auth/login", "/api/invoices", "/api/invoices/{invoice_id}"} <= set(spec["paths"])
