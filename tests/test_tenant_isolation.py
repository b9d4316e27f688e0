"""A user of organization A sees nothing of organization B, on every endpoint and the socket."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.accounting.charts import DEFAULT_JSON as DEFAULT_CHART_JSON
from server.auth.permissions import Role
from tests.access_helpers import api, token, ws_url
from tests.conftest import Running
from tests.harness import new_invoice, seed

YEAR = "from=2026-01-01&to=2026-12-31"


async def test_nothing_of_another_organization_is_visible(running: Running) -> None:
    server = running.server
    acme = {**running.accounts, **await seed(server.data_dir, users={"ada": Role.ADMIN})}
    beta = await seed(server.data_dir, org="Beta", users={"bea": Role.ADMIN, "ben": Role.EDITOR})
    beta_org = beta["bea"].org_id
    beta_invoice = await new_invoice(server.data_dir, beta["ben"])
    acme_invoice = await new_invoice(server.data_dir, acme["alice"])

    for who in ("ada", "alice", "vera"):  # every kind of Acme member, the admin included
        bearer = await token(server, acme[who])
        async with api(server, bearer) as http:
            listed = [i["id"] for i in (await http.get("/api/invoices")).json()["items"]]
            assert listed == [acme_invoice], who
            r = await http.get(f"/api/invoices/{beta_invoice}")
            assert r.status_code == 404 and r.json() == {"error": "no such invoice"}, who
            for method, path, body in (
                ("GET", f"/api/orgs/{beta_org}/members", None),
                ("POST", f"/api/orgs/{beta_org}/members", {"email": "x@y.test", "role": "admin"}),
                (
                    "PATCH",
                    f"/api/orgs/{beta_org}/members/{beta['ben'].user_id}",
                    {"role": "viewer"},
                ),
                ("DELETE", f"/api/orgs/{beta_org}/members/{beta['ben'].user_id}", None),
                ("GET", f"/api/orgs/{beta_org}/security", None),
                ("PATCH", f"/api/orgs/{beta_org}/security", {"require_totp": True}),
                ("GET", f"/api/orgs/{beta_org}/audit", None),
                ("GET", f"/api/orgs/{beta_org}/accounting/chart", None),
                ("PUT", f"/api/orgs/{beta_org}/accounting/chart", DEFAULT_CHART_JSON),
                ("GET", f"/api/orgs/{beta_org}/exports/fec?{YEAR}", None),
                ("GET", f"/api/orgs/{beta_org}/exports/journal.csv?{YEAR}", None),
            ):
                r = await http.request(method, path, json=body)
                assert r.status_code == 404, (who, method, path, r.text)
                assert r.json() == {"error": "no such organization"}
            # Creating in B is refused like an unknown organization.
            r = await http.post("/api/invoices", json={"org": beta_org})
            assert r.status_code == 404, who
            me = (await http.get("/api/me")).json()
            assert {m["org_id"] for m in me["memberships"]} == {acme["alice"].org_id}
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(server, beta_invoice, bearer)):
                pass
        assert refused.value.response.status_code == 404, who

    # Acme's admin cannot reach B's members through Acme's own path either.
    async with api(server, await token(server, acme["ada"])) as http:
        acme_org = acme["ada"].org_id
        r = await http.patch(
            f"/api/orgs/{acme_org}/members/{beta['ben'].user_id}", json={"role": "viewer"}
        )
        assert r.status_code == 404
        assert (
            await http.delete(f"/api/orgs/{acme_org}/members/{beta['ben'].user_id}")
        ).status_code == 404
        members = (await http.get(f"/api/orgs/{acme_org}/members")).json()["items"]
        assert not {m["email"] for m in members} & {beta["bea"].email, beta["ben"].email}
        events = (await http.get(f"/api/orgs/{acme_org}/audit")).json()["items"]
        beta_ids = {beta["bea"].user_id, beta["ben"].user_id, beta_org}
        assert not any({e["actor_id"], e["org_id"], e["target"]} & beta_ids for e in events)

    # And B still has everything, untouched.
    async with api(server, await token(server, beta["bea"])) as http:
        assert (await http.get(f"/api/invoices/{beta_invoice}")).status_code == 200
        members = (await http.get(f"/api/orgs/{beta_org}/members")).json()["items"]
        assert {m["email"]: m["role"] for m in members} == {
            beta["bea"].email: "admin",
            beta["ben"].email: "editor",
        }
