"""Brute force: per-account and per-address throttling, and no timing difference between an
unknown email and a wrong password."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx

from server.auth.permissions import Role
from tests.access_helpers import server_with
from tests.harness import Account, wait_for

FAST = {
    "AUTH_FREE_FAILURES": "2",
    "AUTH_LOCKOUT_FAILURES": "4",
    # Long enough that a login slowed by a busy machine still finds the account locked.
    "AUTH_LOCKOUT_SECONDS": "3",
    "AUTH_DELAY_SECONDS": "0.2",
    "AUTH_IP_FACTOR": "3",
}


async def _login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/api/auth/login", json={"email": email, "password": password})


async def test_failures_delay_then_lock_then_release(tmp_path: Path) -> None:
    users = {"alice": Role.EDITOR, "bob": Role.EDITOR}
    async with server_with(tmp_path, users, **FAST) as (server, accounts):
        alice, bob = accounts["alice"], accounts["bob"]
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            # Two free failures: answered at once, no delay.
            for _ in range(2):
                assert (await _login(http, alice.email, "wrong")).status_code == 401
            assert (await _login(http, alice.email, alice.password)).status_code == 200
            # A success cleared the account; fail past the free ones.
            for _ in range(3):
                assert (await _login(http, alice.email, "wrong")).status_code == 401
            # Third failure: delayed. Even the right password is refused until the delay ends.
            blocked = await _login(http, alice.email, alice.password)
            assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
            assert "too many failed attempts" in blocked.json()["error"]
            # Other accounts are not affected.
            assert (await _login(http, bob.email, bob.password)).status_code == 200

            async def delay_over() -> bool:
                r = await _login(http, alice.email, "wrong")
                return r.status_code == 401  # counted: the fourth failure locks the account

            await wait_for(delay_over, timeout=2, what="the delay to end")
            locked_at = time.monotonic()
            assert (await _login(http, alice.email, alice.password)).status_code == 429

            async def released() -> bool:
                return (await _login(http, alice.email, alice.password)).status_code == 200

            await wait_for(released, timeout=6, what="the lockout to end")
            assert time.monotonic() - locked_at >= 2.8  # the lockout lasted (3 s, minus jitter)

            # Per address: unknown emails (each its own account) from one address: 3 x 2 free.
            for i in range(7):
                r = await _login(http, f"nobody{i}@acme.test", "wrong")
                assert r.status_code == 401, (i, r.text)
            blocked = await _login(http, bob.email, bob.password)
            assert blocked.status_code == 429  # this address, whatever the account

            async def address_released() -> bool:
                return (await _login(http, bob.email, bob.password)).status_code == 200

            await wait_for(address_released, timeout=3, what="the address delay to end")


async def test_unknown_email_and_wrong_password_take_the_same_time(tmp_path: Path) -> None:
    lenient = {"AUTH_FREE_FAILURES": "1000", "AUTH_LOCKOUT_FAILURES": "2000"}
    lenient["AUTH_IP_FACTOR"] = "10"
    async with server_with(tmp_path, {"alice": Role.EDITOR}, **lenient) as (server, accounts):
        alice: Account = accounts["alice"]
        timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
        async with httpx.AsyncClient(timeout=30.0, base_url=server.http) as http:
            await _login(http, alice.email, "warm-up")
            for i in range(12):  # interleaved, so load drift hits both alike
                for kind, email in (("unknown", f"ghost{i}@acme.test"), ("wrong", alice.email)):
                    started = time.perf_counter()
                    r = await _login(http, email, "not the password")
                    timings[kind].append(time.perf_counter() - started)
                    assert r.status_code == 401
                    assert r.json() == {"error": "invalid email or password"}
        unknown, wrong = (statistics.median(timings[k]) for k in ("unknown", "wrong"))
        # Both pay one argon2 verification (tens of ms); what differs is noise.
        assert abs(unknown - wrong) < max(0.25 * max(unknown, wrong), 0.008), (unknown, wrong)
        assert min(unknown, wrong) > 0.005  # the hashing really happens on both paths
