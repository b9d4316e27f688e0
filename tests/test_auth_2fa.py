"""Two-factor sign-in end to end, with real TOTP codes computed from the enrolled secret."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import pyotp

from server.auth.permissions import Role
from tests.access_helpers import api, login, token
from tests.conftest import Running
from tests.harness import Account, ServerProcess, seed


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current time step, or of a later one (accepted one step ahead)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def test_enrol_sign_in_replay_recovery_codes_and_disable(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    bearer = await token(server, alice)
    async with api(server, bearer) as http:
        enrolment = (await http.post("/api/auth/2fa/enroll")).json()
        secret = enrolment["secret"]
        uri = urlsplit(enrolment["otpauth_uri"])
        assert uri.scheme == "otpauth" and parse_qs(uri.query)["secret"] == [secret]
        assert parse_qs(uri.query)["issuer"] == ["Cofacture"]
        assert enrolment["qr_svg"].startswith("<svg") and "path" in enrolment["qr_svg"]
        # Not on until confirmed: signing in needs no code yet.
        assert (await login(server, alice)).status_code == 200
        wrong = await http.post("/api/auth/2fa/confirm", json={"code": "000000"})
        assert wrong.status_code == 400 and wrong.json() == {"error": "invalid two-factor code"}
        first = _code(secret)
        confirmed = await http.post("/api/auth/2fa/confirm", json={"code": first})
        assert confirmed.status_code == 200
        codes = confirmed.json()["recovery_codes"]
        assert len(codes) == len(set(codes)) == 10
        assert (await http.post("/api/auth/2fa/enroll")).status_code == 409
        me = (await http.get("/api/me")).json()
        assert me["totp_enabled"] is True and me["recovery_codes_left"] == 10

    r = await login(server, alice)
    assert r.status_code == 401 and r.json() == {"error": "totp_required"}
    r = await login(server, alice, totp="123456")
    assert r.status_code == 401 and r.json() == {"error": "invalid two-factor code"}
    # A code is good once: the one that confirmed the enrolment cannot sign in.
    assert (await login(server, alice, totp=first)).status_code == 401
    fresh = _code(secret, steps_ahead=1)
    assert (await login(server, alice, totp=fresh)).status_code == 200
    assert (await login(server, alice, totp=fresh)).status_code == 401  # replayed

    assert (await login(server, alice, totp=codes[0].upper())).status_code == 200
    assert (await login(server, alice, totp=codes[0])).status_code == 401  # used up
    r = await login(server, alice, totp=codes[1])
    assert r.status_code == 200
    async with api(server, r.json()["access_token"]) as http:
        assert (await http.get("/api/me")).json()["recovery_codes_left"] == 8
        assert (await http.post("/api/auth/2fa/disable", json={"code": fresh})).status_code == 400
        r = await http.post("/api/auth/2fa/disable", json={"code": codes[2]})
        assert r.status_code == 204
        assert (await http.get("/api/me")).json()["totp_enabled"] is False
    assert (await login(server, alice)).status_code == 200

    admin = (await seed(server.data_dir, users={"ada": Role.ADMIN}))["ada"]
    async with api(server, await token(server, admin)) as http:
        events = (await http.get(f"/api/orgs/{admin.org_id}/audit?limit=500")).json()["items"]
    mine = [e for e in events if e["actor_id"] == alice.user_id]
    kinds = [e["event"] for e in mine]
    for kind in ("totp.enrolled", "totp.disabled", "totp.recovery_code_used", "login.failed"):
        assert kind in kinds, kind
    assert all(e["ip"] == "127.0.0.1" and e["at"] for e in mine)
    assert secret not in str(events) and codes[3] not in str(events)
    assert secret not in (server.data_dir / "server.log").read_text()


async def test_mandatory_second_factor_for_approvers_and_admins(running: Running) -> None:
    server = running.server
    made = await seed(server.data_dir, users={"ada": Role.ADMIN, "abe": Role.APPROVER})
    ada, abe, alice = made["ada"], made["abe"], running.accounts["alice"]
    org = ada.org_id
    ada_token = await token(server, ada)
    abe_token = await token(server, abe)
    alice_token = await token(server, alice)
    async with api(server, alice_token) as http:
        created = await http.post("/api/invoices", json={})
        assert created.status_code == 201, created.text
        invoice = f"/api/invoices/{created.json()['id']}"
    async with api(server, ada_token) as http:
        assert (await http.get(f"/api/orgs/{org}/security")).json() == {"require_totp": False}
        bad = await http.patch(f"/api/orgs/{org}/security", json={"require_totp": "yes"})
        assert bad.status_code == 400
        assert bad.json()["error"] == "`require_totp` must be true or false"
        assert bad.json()["details"] == [
            {"path": "require_totp", "message": "`require_totp` must be true or false"}
        ]
        r = await http.patch(f"/api/orgs/{org}/security", json={"require_totp": True})
        assert r.status_code == 200
        # The policy ends no session: the admin, without a second factor, keeps theirs but
        # reaches this organization's resources only after enrolling.
        me = (await http.get("/api/me")).json()
        assert [m["totp_required"] for m in me["memberships"]] == [True]
        denied = await http.get(f"/api/orgs/{org}/members")
        assert denied.status_code == 403 and denied.json() == {"error": "totp_enrollment_required"}
    async with api(server, abe_token) as http:
        assert (await http.get("/api/me")).status_code == 200
        assert (await http.get("/api/invoices")).json()["items"] == []
        # One invoice of the organization is as unknown as another tenant's.
        assert (await http.get(invoice)).status_code == 404
    async with api(server, alice_token) as http:
        assert (await http.get(invoice)).status_code == 200  # an editor is not concerned

    r = await login(server, abe)
    assert r.status_code == 200  # sign-in is never refused by an organization's policy
    assert (await login(server, alice)).status_code == 200  # editors are not concerned

    # Enrol without a token, with the password, then sign in with a code.
    async with api(server) as http:
        body = {"email": abe.email, "password": abe.password}
        bad = await http.post("/api/auth/2fa/enroll", json={**body, "password": "wrong!"})
        assert bad.status_code == 401 and bad.json() == {"error": "invalid email or password"}
        secret = (await http.post("/api/auth/2fa/enroll", json=body)).json()["secret"]
        confirmed = await http.post("/api/auth/2fa/confirm", json={**body, "code": _code(secret)})
        assert confirmed.status_code == 200
    r = await login(server, abe, totp=_code(secret, steps_ahead=1))
    assert r.status_code == 200
    async with api(server, r.json()["access_token"]) as http:
        assert (await http.get(invoice)).status_code == 200  # enrolled: reachable again
        r = await http.post("/api/auth/2fa/disable", json={"code": _code(secret, steps_ahead=1)})
        assert r.status_code == 409 and "mandatory" in r.json()["error"]


async def test_new_recovery_codes_replace_the_old_ones(running: Running) -> None:
    server, alice = running.server, running.accounts["alice"]
    async with api(server, await token(server, alice)) as http:
        no_factor = await http.post("/api/auth/2fa/recovery-codes", json={"code": "123456"})
        assert no_factor.status_code == 409  # nothing to renew before two-factor is on
        secret = (await http.post("/api/auth/2fa/enroll")).json()["secret"]
        confirmed = await http.post("/api/auth/2fa/confirm", json={"code": _code(secret)})
        old = confirmed.json()["recovery_codes"]
        # A wrong code renews nothing; neither does a missing one.
        wrong = await http.post("/api/auth/2fa/recovery-codes", json={"code": "000000"})
        assert wrong.status_code == 400
        assert (await http.post("/api/auth/2fa/recovery-codes", json={})).status_code == 400
        # One of the old recovery codes renews them (lost phone, codes running out): the same
        # code sent twice at once renews once.
        first, second = await asyncio.gather(
            http.post("/api/auth/2fa/recovery-codes", json={"code": old[0]}),
            http.post("/api/auth/2fa/recovery-codes", json={"code": old[0]}),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 400], (
            first.text,
            second.text,
        )
        new = (first if first.status_code == 200 else second).json()["recovery_codes"]
        assert len(new) == len(set(new)) == 10 and not set(new) & set(old)
        assert (await http.get("/api/me")).json()["recovery_codes_left"] == 10
    # The old codes stop working, used or not; a new one signs in once.
    assert (await login(server, alice, totp=old[5])).status_code == 401
    assert (await login(server, alice, totp=new[0])).status_code == 200
    assert (await login(server, alice, totp=new[0])).status_code == 401
    async with api(server, await token_with(server, alice, new[1])) as http:
        renewed = await http.post(
            "/api/auth/2fa/recovery-codes", json={"code": _code(secret, steps_ahead=1)}
        )
        assert renewed.status_code == 200
    admin = (await seed(server.data_dir, users={"ada": Role.ADMIN}))["ada"]
    async with api(server, await token(server, admin)) as http:
        events = (await http.get(f"/api/orgs/{admin.org_id}/audit?limit=500")).json()["items"]
    renewals = [e for e in events if e["event"] == "totp.recovery_codes_renewed"]
    assert [e["actor_id"] for e in renewals] == [alice.user_id, alice.user_id]
    assert not any(code in str(events) for code in new + old)


async def token_with(server: ServerProcess, account: Account, code: str) -> str:
    signed_in = await login(server, account, totp=code)
    assert signed_in.status_code == 200
    return str(signed_in.json()["access_token"])
