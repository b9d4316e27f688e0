"""An organization's pending invitations as its admins see them: listed without their tokens,
withdrawn (the link stops working at once, audited), and nobody else's."""

from __future__ import annotations

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import seed


async def test_admins_list_and_withdraw_pending_invitations(running: Running) -> None:
    server = running.server
    adam = (await seed(server.data_dir, users={"adam": Role.ADMIN}))["adam"]
    olga = (await seed(server.data_dir, users={"olga": Role.ADMIN}, org="Other SA"))["olga"]
    org = adam.org_id
    async with api(server, await token(server, adam)) as http:
        sent = {}
        for email, role in (("nina@acme.test", "reviewer"), ("omar@acme.test", "editor")):
            r = await http.post(f"/api/orgs/{org}/members", json={"email": email, "role": role})
            assert r.status_code == 201, r.text
            sent[email] = r.json()["invitation_token"]
        listed = (await http.get(f"/api/orgs/{org}/invitations")).json()["items"]
        assert [(i["email"], i["role"]) for i in listed] == [
            ("nina@acme.test", "reviewer"),
            ("omar@acme.test", "editor"),
        ]
        assert all("token" not in key for i in listed for key in i)  # never the secret
        nina = listed[0]["id"]
        async with api(server, await token(server, olga)) as other:  # another organization
            r = await other.delete(f"/api/orgs/{olga.org_id}/invitations/{nina}")
            assert r.status_code == 404
        assert (await http.delete(f"/api/orgs/{org}/invitations/{nina}")).status_code == 204
        assert (await http.delete(f"/api/orgs/{org}/invitations/{nina}")).status_code == 404
        left = (await http.get(f"/api/orgs/{org}/invitations")).json()["items"]
        assert [i["email"] for i in left] == ["omar@acme.test"]
        events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 50})).json()
    revoked = [
        (e["target"], e["detail"])
        for e in events["items"]
        if e["event"] == "member.invitation_revoked"
    ]
    assert revoked == [("nina@acme.test", "was reviewer")]
    async with api(server) as anonymous:  # the withdrawn link no longer works
        r = await anonymous.post(
            "/api/auth/accept-invitation",
            json={"token": sent["nina@acme.test"], "password": "nina's password"},
        )
    assert r.status_code == 400
    async with api(server, await token(server, running.accounts["alice"])) as editor:
        assert (await editor.get(f"/api/orgs/{org}/invitations")).status_code == 403
