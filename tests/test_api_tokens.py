"""API tokens end to end against a running server: created by admins, used as a bearer on the
REST API within their scopes and their creator's role, refused on the WebSocket and on a
person's own endpoints, revoked at once (also with requests in flight), expired, audited per
use, stored only as a hash."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.auth.permissions import Role
from tests.access_helpers import api, token, ws_url
from tests.conftest import Running
from tests.harness import DB_FILE, Account, new_invoice, seed

PAYMENT = {"amount": "10.00", "date": "2026-12-01", "method": "transfer"}


def _db(running: Running) -> sqlite3.Connection:
    return sqlite3.connect(running.server.data_dir / DB_FILE)


async def _admin(running: Running) -> tuple[Account, str]:
    adam = (await seed(running.server.data_dir, users={"adam": Role.ADMIN}))["adam"]
    return adam, await token(running.server, adam)


async def _create(running: Running, bearer: str, name: str, *scopes: str, **extra: Any) -> Any:
    org = running.accounts["alice"].org_id
    async with api(running.server, bearer) as http:
        body = {"name": name, "scopes": list(scopes), **extra}
        r = await http.post(f"/api/orgs/{org}/tokens", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def _events(running: Running, bearer: str) -> list[dict[str, Any]]:
    org = running.accounts["alice"].org_id
    async with api(running.server, bearer) as http:
        r = await http.get(f"/api/orgs/{org}/audit?limit=200")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_scopes_are_enforced_per_scope_and_every_use_is_audited(running: Running) -> None:
    adam, session = await _admin(running)
    org, invoice_id = adam.org_id, await new_invoice(running.server.data_dir, adam)
    read = await _create(running, session, "reporting", "read")
    invoices = await _create(running, session, "billing sync", "invoices:write")
    payments = await _create(running, session, "bank feed", "payments:write")
    admin = await _create(running, session, "provisioning", "admin")
    assert read["token"].startswith("cof_") and len(read["token"]) == 50
    assert read["prefix"] == read["token"][:12] and read["scopes"] == ["read"]
    assert read["created_by"] == adam.user_id and read["created_by_name"] == "adam"
    assert read["expires_at"] is None and read["last_used_at"] is None

    async with api(running.server, read["token"]) as http:
        listed = (await http.get("/api/invoices")).json()["items"]
        assert [i["id"] for i in listed] == [invoice_id]
        assert (await http.get(f"/api/invoices/{invoice_id}")).status_code == 200
        assert (await http.get(f"/api/orgs/{org}/members")).status_code == 200  # read: all
        assert (await http.get(f"/api/orgs/{org}/tokens")).status_code == 403  # but tokens
        refused = await http.post("/api/invoices", json={})
        assert refused.status_code == 403 and "read-only" in refused.json()["error"]
        comment = {"anchor": {"path": "invoice.due_date"}, "body": "from a read token"}
        r = await http.post(f"/api/invoices/{invoice_id}/comments", json=comment)
        assert r.status_code == 403

    async with api(running.server, invoices["token"]) as http:
        made = await http.post("/api/invoices", json={})
        assert made.status_code == 201, made.text
        comment = {"anchor": {"path": "invoice.due_date"}, "body": "from the billing tool"}
        r = await http.post(f"/api/invoices/{invoice_id}/comments", json=comment)
        assert r.status_code == 201, r.text
        r = await http.post(f"/api/invoices/{invoice_id}/payments", json=PAYMENT)
        assert r.status_code == 403, r.text
        assert (await http.get(f"/api/orgs/{org}/members")).status_code == 403  # no `read`
        assert (await http.get(f"/api/orgs/{org}/tokens")).status_code == 403

    async with api(running.server, payments["token"]) as http:
        # The right passes; the draft's state stops it (409), as for a person.
        r = await http.post(f"/api/invoices/{invoice_id}/payments", json=PAYMENT)
        assert (r.status_code, r.json().get("code")) == (409, "not_issued"), r.text
        r = await http.post(f"/api/invoices/{invoice_id}/transitions", json={"action": "issue"})
        assert (r.status_code, r.json().get("code")) == (403, "role"), r.text
        assert "invoice.issue" in r.json()["error"]
        assert (await http.post("/api/invoices", json={})).status_code == 403

    async with api(running.server, admin["token"]) as http:
        # An admin token manages tokens, but never mints one with more than it has.
        assert (await http.get(f"/api/orgs/{org}/tokens")).status_code == 200
        r = await http.post(f"/api/orgs/{org}/tokens", json={"name": "x", "scopes": ["read"]})
        assert r.status_code == 403 and "scopes it has" in r.json()["error"]
        r = await http.post(f"/api/orgs/{org}/tokens", json={"name": "y", "scopes": ["admin"]})
        assert r.status_code == 201 and r.json()["created_by"] == adam.user_id
        assert (await http.post("/api/invoices", json={})).status_code == 403

    events = await _events(running, session)
    used = [e for e in events if e["event"] == "api_token.used"]
    mine = [e for e in used if e["detail"].endswith("via token billing sync")]
    assert [e["target"] for e in reversed(mine)] == [
        "POST /api/invoices",
        f"POST /api/invoices/{invoice_id}/comments",
        f"POST /api/invoices/{invoice_id}/payments",
        f"GET /api/orgs/{org}/members",
        f"GET /api/orgs/{org}/tokens",
    ]
    assert [e["detail"] for e in reversed(mine)][:3] == [
        "status 201; via token billing sync",
        "status 201; via token billing sync",
        "status 403; via token billing sync",
    ]
    assert all(e["actor_id"] == adam.user_id and e["ip"] == "127.0.0.1" for e in mine)
    assert len(used) == 6 + 5 + 3 + 4
    # What the token did is the creator's, "via token <name>".
    denied = [e for e in events if e["event"] == "access.denied" and "bank feed" in e["detail"]]
    assert denied and all(e["actor_id"] == adam.user_id for e in denied)
    created = next(e for e in events if e["event"] == "org.api_token_created")
    assert created["detail"] == "y [admin]; via token provisioning"


async def test_a_token_reaches_its_organization_only_and_follows_its_creators_role(
    running: Running,
) -> None:
    adam, session = await _admin(running)
    data_dir = running.server.data_dir
    beta = await seed(data_dir, org="Beta", users={"bea": Role.ADMIN})
    beta_invoice = await new_invoice(data_dir, beta["bea"])
    with closing(_db(running)) as db, db:  # adam is an admin of Beta too
        db.execute(
            "INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'admin')",
            (adam.user_id, beta["bea"].org_id),
        )
    ada = (await seed(data_dir, users={"ada": Role.ADMIN}))["ada"]
    everything = await _create(running, session, "all", "read", "invoices:write", "admin")
    async with api(running.server, everything["token"]) as http:
        assert (await http.get(f"/api/invoices/{beta_invoice}")).status_code == 404
        r = await http.get(f"/api/orgs/{beta['bea'].org_id}/members")
        assert r.status_code == 404 and r.json() == {"error": "no such organization"}
        listed = (await http.get("/api/invoices?limit=100")).json()["items"]
        assert beta_invoice not in [i["id"] for i in listed]
        r = await http.post("/api/invoices", json={"org": beta["bea"].org_id})
        assert r.status_code == 404, r.text
        assert (await http.post("/api/invoices", json={})).status_code == 201

    # The creator demoted: the token keeps only what both the scopes and the new role allow.
    ada_session = await token(running.server, ada)
    async with api(running.server, ada_session) as http:
        org = adam.org_id
        r = await http.patch(f"/api/orgs/{org}/members/{adam.user_id}", json={"role": "viewer"})
        assert r.status_code == 200, r.text
    async with api(running.server, everything["token"]) as http:
        r = await http.post("/api/invoices", json={})
        assert r.status_code == 403 and r.json()["error"].startswith("a viewer cannot"), r.text
        assert (await http.get("/api/invoices")).status_code == 200
        assert (await http.get(f"/api/orgs/{org}/tokens")).status_code == 403
    # Removed: their tokens are revoked with them (re-invited, they would not come back).
    async with api(running.server, ada_session) as http:
        assert (await http.delete(f"/api/orgs/{org}/members/{adam.user_id}")).status_code == 204
    async with api(running.server, everything["token"]) as http:
        r = await http.get("/api/invoices")
        assert (r.status_code, r.json()) == (401, {"error": "this API token was revoked"})
    events = await _events(running, ada_session)
    gone = [e for e in events if e["event"] == "org.api_token_revoked"]
    assert [(e["target"], e["detail"]) for e in gone] == [
        (everything["id"], "all (creator removed)")
    ]


async def test_refused_where_a_person_signs_in_on_the_websocket_and_when_malformed(
    running: Running,
) -> None:
    adam, session = await _admin(running)
    invoice_id = await new_invoice(running.server.data_dir, adam)
    everything = await _create(running, session, "all", "read", "invoices:write", "admin")
    secret = everything["token"]
    async with api(running.server, secret) as http:
        for method, path in (
            ("GET", "/api/me"),
            ("GET", "/api/me/invitations"),
            ("POST", "/api/auth/logout"),
            ("POST", "/api/auth/refresh"),
            ("POST", "/api/auth/password"),
            ("POST", "/api/auth/2fa/enroll"),
            ("GET", "/api/setup"),
        ):
            r = await http.request(method, path, json={})
            assert r.status_code == 403, (path, r.text)
            assert "sign-in, session or profile" in r.json()["error"]
    board = f"ws://127.0.0.1:{running.server.port}/ws/board/{adam.org_id}?token={secret}"
    for url in (ws_url(running.server, invoice_id, secret), board):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url):
                pass
        assert refused.value.response.status_code == 401
        assert b"not accepted on the WebSocket" in refused.value.response.body

    damaged = secret[:-7] + ("a" if secret[-7] != "a" else "b") + secret[-6:]
    unknown = "cof_" + "A" * 40 + _crc_base62("A" * 40)
    for bearer, error in (
        ("cof_", "malformed API token: check that it was copied whole"),
        (secret[:-1], "malformed API token: check that it was copied whole"),
        (damaged, "malformed API token: check that it was copied whole"),
        (secret + "x", "malformed API token: check that it was copied whole"),
        ("cof_" + "é" * 46, "malformed API token: check that it was copied whole"),
        (unknown, "unknown API token"),
    ):
        async with httpx.AsyncClient(timeout=30.0, base_url=running.server.http) as http:
            header = f"Bearer {bearer}".encode()  # bytes: a header may carry any octet
            r = await http.get("/api/invoices", headers={b"Authorization": header})
        assert (r.status_code, r.json()) == (401, {"error": error}), bearer
        assert r.headers["www-authenticate"] == "Bearer"


def _crc_base62(body: str) -> str:
    """The checksum as docs/integrations.md describes it, written again here: CRC-32 of the
    body, in 6 base62 digits, most significant first."""
    import zlib

    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    value, out = zlib.crc32(body.encode()), ""
    for _ in range(6):
        value, rest = divmod(value, 62)
        out = digits[rest] + out
    return out


async def test_revoked_at_once_even_with_requests_in_flight(running: Running) -> None:
    adam, session = await _admin(running)
    org = adam.org_id
    made = await _create(running, session, "race", "read", "invoices:write")
    statuses: list[tuple[float, int]] = []  # (when the request was sent, its answer)
    stop, answered = asyncio.Event(), asyncio.Event()

    async def until(enough: Callable[[], bool]) -> None:
        while not enough():
            answered.clear()
            await asyncio.wait_for(answered.wait(), 10)

    async def hammer() -> None:
        async with api(running.server, made["token"]) as http:
            while not stop.is_set():
                sent = time.monotonic()
                r = (
                    await http.post("/api/invoices", json={})
                    if len(statuses) % 3 == 0
                    else (await http.get("/api/invoices"))
                )
                statuses.append((sent, r.status_code))
                answered.set()

    workers = [asyncio.create_task(hammer()) for _ in range(4)]
    await until(lambda: len(statuses) >= 20)
    async with api(running.server, session) as http:
        r = await http.delete(f"/api/orgs/{org}/tokens/{made['id']}")
        revoked_at = time.monotonic()
        assert r.status_code == 204
        assert (await http.delete(f"/api/orgs/{org}/tokens/{made['id']}")).status_code == 404
    await until(lambda: sum(1 for sent, _ in statuses if sent > revoked_at) >= 20)
    stop.set()
    await asyncio.gather(*workers)
    assert {code for _, code in statuses} <= {200, 201, 401}
    after = [code for sent, code in statuses if sent > revoked_at]
    assert after and set(after) == {401}
    async with api(running.server, made["token"]) as http:
        r = await http.get("/api/invoices")
        assert (r.status_code, r.json()) == (401, {"error": "this API token was revoked"})
    async with api(running.server, session) as http:
        listed = (await http.get(f"/api/orgs/{org}/tokens")).json()["items"]
    assert made["id"] not in [t["id"] for t in listed]
    events = await _events(running, session)
    revoked = [e for e in events if e["event"] == "org.api_token_revoked"]
    assert [(e["target"], e["detail"]) for e in revoked] == [(made["id"], "race")]


async def test_expiry_last_use_and_hashed_storage(running: Running) -> None:
    adam, session = await _admin(running)
    made = await _create(running, session, "nightly", "read", expires_in_days=30)
    expires = made["expires_at"]
    assert expires is not None and made["created_at"] < expires
    async with api(running.server, made["token"]) as http:
        assert (await http.get("/api/invoices")).status_code == 200
        assert (await http.get("/api/invoices")).status_code == 200
    with closing(_db(running)) as db:
        row = db.execute(
            "SELECT secret_hash, last_used_at, prefix FROM api_tokens WHERE id = ?", (made["id"],)
        ).fetchone()
    # SHA-256 of the secret (FIPS 180-4), hex: the database never holds the secret itself.
    assert row[0] == hashlib.sha256(made["token"].encode()).hexdigest()
    assert row[1] is not None and row[2] == made["token"][:12]
    first_use = row[1]
    async with api(running.server, made["token"]) as http:
        assert (await http.get("/api/invoices")).status_code == 200
    with closing(_db(running)) as db, db:
        # Within the minute: not written again. A minute later: written again.
        assert db.execute(
            "SELECT last_used_at FROM api_tokens WHERE id = ?", (made["id"],)
        ).fetchone() == (first_use,)
        db.execute(
            "UPDATE api_tokens SET last_used_at = '2026-01-01 00:00:00.000000' WHERE id = ?",
            (made["id"],),
        )
    async with api(running.server, made["token"]) as http:
        assert (await http.get("/api/invoices")).status_code == 200
    async with api(running.server, session) as http:
        listed = (await http.get(f"/api/orgs/{adam.org_id}/tokens")).json()["items"]
    assert listed[0]["id"] == made["id"] and listed[0]["last_used_at"] > "2026-01-02"
    assert "token" not in listed[0]

    files = [p for p in Path(running.server.data_dir).iterdir() if p.name.startswith(DB_FILE)]
    assert files and not any(made["token"].encode() in p.read_bytes() for p in files)

    with closing(_db(running)) as db, db:
        db.execute(
            "UPDATE api_tokens SET expires_at = '2026-01-01 00:00:00.000000' WHERE id = ?",
            (made["id"],),
        )
    async with api(running.server, made["token"]) as http:
        r = await http.get("/api/invoices")
    assert (r.status_code, r.json()) == (401, {"error": "this API token has expired"})


async def test_creation_refuses_bad_bodies_and_non_admins(running: Running) -> None:
    adam, session = await _admin(running)
    org = adam.org_id
    async with api(running.server, session) as http:
        for body, status, needle in (
            ({"name": "x", "scopes": ["write"]}, 400, "`scopes` must be some of"),
            ({"name": "x", "scopes": []}, 400, "at least one scope"),
            ({"name": "  ", "scopes": ["read"]}, 400, "1 to 80"),
            ({"name": "x" * 81, "scopes": ["read"]}, 400, "1 to 80"),
            ({"name": "a\u202eb", "scopes": ["read"]}, 400, "invisible"),
            ({"name": "a\nb", "scopes": ["read"]}, 400, "control"),
            ({"name": "x", "scopes": ["read"], "expires_in_days": 0}, 400, "1 to 1825"),
            ({"name": "x", "scopes": ["read"], "expires_in_days": "30"}, 400, "expires_in_days"),
            ({"name": "x", "scopes": ["read"], "extra": 1}, 400, "extra"),
        ):
            r = await http.post(f"/api/orgs/{org}/tokens", json=body)
            assert r.status_code == status and needle in r.text, (body, r.text)
        assert (
            await http.post(f"/api/orgs/{org}/tokens", json={"name": "ci", "scopes": ["read"]})
        ).status_code == 201
        again = await http.post(f"/api/orgs/{org}/tokens", json={"name": "ci", "scopes": ["read"]})
        assert again.status_code == 409
        assert (await http.delete(f"/api/orgs/{org}/tokens/nope")).status_code == 404
        # Two revocations at once: one is done (and audited), the other finds nothing.
        ci = (await http.get(f"/api/orgs/{org}/tokens")).json()["items"][0]["id"]
        twice = f"/api/orgs/{org}/tokens/{ci}"
        both = await asyncio.gather(http.delete(twice), http.delete(twice))
        assert sorted(r.status_code for r in both) == [204, 404]
        assert (await http.get("/api/orgs/not-an-org/tokens")).status_code == 404
    alice = await token(running.server, running.accounts["alice"])
    async with api(running.server, alice) as http:
        r = await http.post(f"/api/orgs/{org}/tokens", json={"name": "mine", "scopes": ["read"]})
        assert r.status_code == 403
