"""The recurring-invoice API on a real server: who may make, read and change schedules,
another organization's ids as 404, validation as 400 with a clear message, next runs listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from server.auth.permissions import Role
from tests.access_helpers import api, server_with, token
from tests.harness import new_invoice, seed

GOOD = {"frequency": "monthly", "day": "last", "start": "2031-01-31"}


async def _post(http: httpx.AsyncClient, invoice_id: str, **body: Any) -> httpx.Response:
    return await http.post(f"/api/invoices/{invoice_id}/recurring", json=body)


async def test_schedules_through_the_api(tmp_path: Path) -> None:
    others = await seed(tmp_path, org="Other", users={"olga": Role.EDITOR})
    users = {"alice": Role.EDITOR, "vera": Role.VIEWER, "rita": Role.ACCOUNTANT}
    async with server_with(tmp_path, users) as (server, accounts):
        alice = accounts["alice"]
        invoice_id = await new_invoice(tmp_path, alice)
        bearer = {name: await token(server, accounts[name]) for name in users}
        olga = await token(server, others["olga"])
        async with api(server, bearer["alice"]) as http:
            for bad, words in (
                ({**GOOD, "day": 31}, "`day` must be a day of the month from 1 to 28"),
                ({**GOOD, "day": "first"}, "`day` must be a day of the month from 1 to 28"),
                ({**GOOD, "count": 0}, "`count`"),
                ({**GOOD, "end": "2030-12-31"}, "`end` must be on or after `start`"),
                ({**GOOD, "start": "2031-02-30"}, "`start`"),
                ({**GOOD, "frequency": "weekly"}, "`frequency` must be one of"),
                ({**GOOD, "mode": "issue"}, "`mode` must be one of"),
                ({**GOOD, "colour": "red"}, "unknown field 'colour'"),
                ({**GOOD, "start": "1999-12-31"}, "`start` must be between"),
            ):
                r = await _post(http, invoice_id, **bad)
                assert r.status_code == 400, (bad, r.text)
                assert words in r.json()["error"], (bad, r.json())
            r = await _post(http, invoice_id, **GOOD, count=12)
            assert r.status_code == 201, r.text
            made = r.json()
            assert made["status"] == "active" and made["owner_id"] == alice.user_id
            assert made["day"] == "last" and made["made"] == 0
            assert [n["run_date"] for n in made["next_runs"]] == [
                "2031-01-31",
                "2031-02-28",
                "2031-03-31",
            ]
            assert made["next_runs"][1]["period_start"] == "2031-02-01"
        schedule = made["id"]
        for name in ("vera", "rita"):  # a viewer, an accountant: no invoice.create
            async with api(server, bearer[name]) as http:
                assert (await _post(http, invoice_id, **GOOD)).status_code == 403
                r = await http.get(f"/api/orgs/{alice.org_id}/recurring")
                assert r.status_code == 200 and [s["id"] for s in r.json()["items"]] == [schedule]
                assert (await http.get(f"/api/recurring/{schedule}")).status_code == 200
                patched = await http.patch(f"/api/recurring/{schedule}", json={"status": "paused"})
                assert patched.status_code == 403
        async with api(server, olga) as http:  # another organization: nothing exists
            assert (await _post(http, invoice_id, **GOOD)).status_code == 404
            assert (await http.get(f"/api/recurring/{schedule}")).status_code == 404
            assert (await http.get(f"/api/recurring/{schedule}/invoices")).status_code == 404
            r = await http.patch(f"/api/recurring/{schedule}", json={"status": "paused"})
            assert r.status_code == 404
            assert (await http.get(f"/api/orgs/{alice.org_id}/recurring")).status_code == 404
            assert (await http.get("/api/recurring/not-an-id")).status_code == 404
        async with api(server, bearer["alice"]) as http:
            r = await http.patch(f"/api/recurring/{schedule}", json={"status": "paused"})
            assert r.status_code == 200 and r.json()["status"] == "paused"
            assert r.json()["next_runs"] == []
            r = await http.patch(
                f"/api/recurring/{schedule}",
                json={"status": "active", "day": 15, "frequency": "quarterly", "count": None},
            )
            assert r.status_code == 200, r.text
            changed = r.json()
            assert changed["count"] is None and changed["frequency"] == "quarterly"
            assert [n["run_date"] for n in changed["next_runs"]] == [
                "2031-04-15",
                "2031-07-15",
                "2031-10-15",
            ]
            wrong: list[dict[str, Any]] = [
                {"day": 0},
                {"end": "2030-01-01"},
                {"frequency": None},
                {"start": "x"},
            ]
            for bad in wrong:
                r = await http.patch(f"/api/recurring/{schedule}", json=bad)
                assert r.status_code == 400, (bad, r.text)
            r = await http.get(f"/api/recurring/{schedule}/invoices")
            assert r.status_code == 200 and r.json() == {"items": []}
