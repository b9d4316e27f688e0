"""The organization's workflow settings (four-eyes, admin approval threshold) as the
transitions apply them, and the assignee set by hand, on a real server."""

from __future__ import annotations

from typing import Any

from tests.access_helpers import api
from tests.conftest import Running
from tests.test_workflow_api import _move, _people, _refused, _valid_invoice

# The valid invoice of test_workflow_api: 3 x 45.00 at 20 % VAT, gross 162.00 EUR.


async def _settings(running: Running, bearer: str, body: dict[str, Any] | None = None) -> Any:
    org = running.accounts["alice"].org_id
    async with api(running.server, bearer) as http:
        if body is None:
            return await http.get(f"/api/orgs/{org}/workflow-settings")
        return await http.put(f"/api/orgs/{org}/workflow-settings", json=body)


async def _audit(running: Running, admin: str, event: str) -> list[str]:
    org = running.accounts["alice"].org_id
    async with api(running.server, admin) as http:
        r = await http.get(f"/api/orgs/{org}/audit", params={"limit": 100})
    return [e["detail"] for e in r.json()["items"] if e["event"] == event]


async def test_turning_four_eyes_off_lets_the_creator_approve(running: Running) -> None:
    people = await _people(running)
    abe, adam = people["abe"], people["adam"]
    # The defaults, read by any member; only admins change them.
    r = await _settings(running, people["vera"])
    assert r.status_code == 200 and r.json() == {"four_eyes": True, "admin_threshold": None}
    r = await _settings(running, abe, {"four_eyes": False})
    assert r.status_code == 403, r.text

    invoice_id = await _valid_invoice(running, running.accounts["abe"])
    assert (await _move(running, abe, invoice_id, "submit")).status_code == 200
    _refused(await _move(running, abe, invoice_id, "approve"), 403, "four_eyes")

    r = await _settings(running, adam, {"four_eyes": False, "admin_threshold": None})
    assert r.status_code == 200 and r.json()["four_eyes"] is False
    assert (await _settings(running, people["bob"])).json()["four_eyes"] is False
    r = await _move(running, abe, invoice_id, "approve")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    # Saving the same settings again records nothing.
    assert (await _settings(running, adam, {"four_eyes": False})).status_code == 200
    assert await _audit(running, adam, "org.workflow_changed") == ["four_eyes: on -> off"]


async def test_above_the_threshold_only_an_admin_approves(running: Running) -> None:
    people = await _people(running)
    abe, adam = people["abe"], people["adam"]
    threshold = {"amount": "100.00", "currency": "EUR"}
    r = await _settings(running, adam, {"admin_threshold": threshold})
    assert r.status_code == 200, r.text
    assert r.json() == {"four_eyes": True, "admin_threshold": threshold}

    above = await _valid_invoice(running, running.accounts["alice"])
    assert (await _move(running, people["alice"], above, "submit")).status_code == 200
    _refused(await _move(running, abe, above, "approve"), 403, "needs_admin")
    r = await _move(running, adam, above, "approve")
    assert r.status_code == 200, r.text

    # Below the threshold an approver approves.
    await _settings(running, adam, {"admin_threshold": {"amount": "162.00", "currency": "EUR"}})
    below = await _valid_invoice(running, running.accounts["alice"])
    assert (await _move(running, people["alice"], below, "submit")).status_code == 200
    assert (await _move(running, abe, below, "approve")).status_code == 200

    # A threshold in another currency cannot be compared: an admin must approve (fail closed).
    await _settings(running, adam, {"admin_threshold": {"amount": "1000000", "currency": "USD"}})
    other = await _valid_invoice(running, running.accounts["alice"])
    assert (await _move(running, people["alice"], other, "submit")).status_code == 200
    _refused(await _move(running, abe, other, "approve"), 403, "needs_admin")
    assert (await _move(running, adam, other, "approve")).status_code == 200

    details = await _audit(running, adam, "org.workflow_changed")
    assert "admin_threshold: none -> 100.00 EUR" in details
    assert "admin_threshold: 162.00 EUR -> 1000000 USD" in details


async def test_bad_settings_are_refused(running: Running) -> None:
    people = await _people(running)
    for bad in (
        {"admin_threshold": {"amount": "-5", "currency": "EUR"}},
        {"admin_threshold": {"amount": "5", "currency": "ZZZ"}},
        {"admin_threshold": {"amount": "5"}},
        {"four_eyes": "maybe"},
        {"extra": 1},
    ):
        r = await _settings(running, people["adam"], bad)
        assert r.status_code == 400, (bad, r.text)
    other_org = "00000000-0000-0000-0000-000000000000"
    async with api(running.server, people["adam"]) as http:
        r = await http.get(f"/api/orgs/{other_org}/workflow-settings")
    assert r.status_code == 404


async def test_the_assignee_is_set_by_hand_to_someone_who_can_act(running: Running) -> None:
    people = await _people(running)
    ids = {name: account.user_id for name, account in running.accounts.items()}
    alice, adam = people["alice"], people["adam"]
    invoice_id = await _valid_invoice(running, running.accounts["alice"])

    async def assign(bearer: str, user_id: str | None) -> Any:
        async with api(running.server, bearer) as http:
            return await http.put(f"/api/invoices/{invoice_id}/assignee", json={"user_id": user_id})

    r = await assign(alice, ids["bob"])
    assert r.status_code == 200, r.text
    assert r.json() == {"id": invoice_id, "assignee_id": ids["bob"]}
    async with api(running.server, alice) as http:
        listed = (await http.get("/api/invoices")).json()["items"]
        one = (await http.get(f"/api/invoices/{invoice_id}")).json()
    assert [i["assignee_id"] for i in listed] == [ids["bob"]]
    assert one["assignee_id"] == ids["bob"]

    assert (await assign(people["vera"], ids["bob"])).status_code == 403  # a viewer
    _refused(await assign(alice, ids["vera"]), 409, "cannot_act")  # a viewer acts on nothing
    _refused(await assign(alice, "00000000-0000-0000-0000-000000000000"), 400, "not_member")
    async with api(running.server, alice) as http:
        r = await http.put(f"/api/invoices/{invoice_id}/assignee", json={})
    assert r.status_code == 400  # user_id is required (null to clear)

    # Approved: only approvers and admins act (reopen, issue); an editor cannot be assigned.
    assert (await _move(running, alice, invoice_id, "submit")).status_code == 200
    assert (await _move(running, people["abe"], invoice_id, "approve")).status_code == 200
    _refused(await assign(alice, ids["bob"]), 409, "cannot_act")
    assert (await assign(alice, ids["adam"])).json()["assignee_id"] == ids["adam"]
    assert (await assign(alice, None)).json()["assignee_id"] is None
    assert (await assign(alice, None)).status_code == 200  # unchanged: not audited again

    details = await _audit(running, adam, "invoice.assigned")
    assert details == [
        f"{ids['adam']} -> nobody",
        f"{ids['abe']} -> {ids['adam']}",
        f"nobody -> {ids['bob']}",
    ]
