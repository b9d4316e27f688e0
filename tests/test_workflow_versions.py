"""Named versions on a real server: automatic at submit and approve (at the room's seq, in the
transition), named by an editor, listed newest first, restored through their seq."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import connect

from tests.access_helpers import api, document_field, edit, wait_field, ws_url
from tests.conftest import Running
from tests.harness import new_invoice
from tests.test_workflow_api import _move, _people, _valid_invoice


async def _versions(running: Running, bearer: str, invoice_id: str) -> list[dict[str, Any]]:
    async with api(running.server, bearer) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/versions")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def _name(running: Running, bearer: str, invoice_id: str, name: str) -> Any:
    async with api(running.server, bearer) as http:
        return await http.post(f"/api/invoices/{invoice_id}/versions", json={"name": name})


async def test_versions_at_submit_approve_and_by_hand_restore_by_seq(running: Running) -> None:
    people = await _people(running)
    alice, abe = people["alice"], people["abe"]
    invoice_id = await _valid_invoice(running, running.accounts["alice"])  # its log: seq 1

    r = await _name(running, alice, invoice_id, "  before the terms  ")
    assert r.status_code == 201, r.text
    manual = r.json()
    assert manual["name"] == "before the terms" and manual["kind"] == "manual"
    assert manual["seq"] == 1 and manual["author"]["id"] == running.accounts["alice"].user_id

    async with connect(ws_url(running.server, invoice_id, alice)) as ws:
        await edit(ws, "payment_terms", "30 days")
        await wait_field(running.server, alice, invoice_id, "payment_terms", "30 days")
    assert (await _move(running, alice, invoice_id, "submit")).status_code == 200
    assert (await _move(running, abe, invoice_id, "approve")).status_code == 200

    versions = await _versions(running, people["vera"], invoice_id)  # any member reads
    assert [(v["name"], v["kind"], v["author"]["id"]) for v in versions] == [
        ("Approved", "auto", running.accounts["abe"].user_id),
        ("Submitted", "auto", running.accounts["alice"].user_id),
        ("before the terms", "manual", running.accounts["alice"].user_id),
    ]
    submitted_seq = versions[1]["seq"]
    assert submitted_seq > 1 and versions[0]["seq"] == submitted_seq  # frozen in between

    # Back in draft, the manual version's seq restores the content it named.
    assert (await _move(running, abe, invoice_id, "reopen")).status_code == 200
    async with api(running.server, alice) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/restore", json={"seq": manual["seq"]})
    assert r.status_code == 200, r.text
    assert await document_field(running.server, alice, invoice_id, "payment_terms") is None
    async with api(running.server, alice) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/restore", json={"seq": submitted_seq})
    assert r.status_code == 200, r.text
    assert await document_field(running.server, alice, invoice_id, "payment_terms") == "30 days"

    async with api(running.server, people["adam"]) as http:
        org = running.accounts["alice"].org_id
        events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 100})).json()
    named = [e["detail"] for e in events["items"] if e["event"] == "invoice.version_named"]
    assert named == ["'before the terms' at update 1"]


async def test_naming_a_version_needs_an_editor_and_content(running: Running) -> None:
    people = await _people(running)
    empty = await new_invoice(running.server.data_dir, running.accounts["alice"])
    r = await _name(running, people["alice"], empty, "first")
    assert r.status_code == 409, r.text  # nothing in the log yet
    valid = await _valid_invoice(running, running.accounts["alice"])
    assert (await _name(running, people["vera"], valid, "mine")).status_code == 403
    for bad in ({"name": "   "}, {"name": "x" * 201}, {}):
        async with api(running.server, people["alice"]) as http:
            r = await http.post(f"/api/invoices/{valid}/versions", json=bad)
        assert r.status_code == 400, (bad, r.text)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert (await _name(running, people["alice"], unknown, "x")).status_code == 404
    async with api(running.server, people["alice"]) as http:
        assert (await http.get(f"/api/invoices/{unknown}/versions")).status_code == 404
    assert await _versions(running, people["alice"], valid) == []
