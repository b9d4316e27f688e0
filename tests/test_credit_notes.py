"""Credit notes on a real server: made from an issued invoice, moved through the workflow,
numbered from their own series, counted against what remains, and cancelling the invoice when
it is credited in full. Amounts are worked by hand from the invoice of `_valid_update`:
3 x 45.00 = 135.00 net, VAT 20 % = 27.00, gross 162.00."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import YjsClients, seed, stored_document, wait_for
from tests.test_workflow_api import ISSUE_DATE, _move, _people, _profile, _refused, _valid_invoice

GROSS = "162.00"


async def _issued(running: Running, people: dict[str, str]) -> str:
    """A valid invoice of alice's, submitted by her, approved and issued by abe."""
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    await _through(running, people, invoice_id)
    return invoice_id


async def _through(running: Running, people: dict[str, str], invoice_id: str) -> dict[str, Any]:
    for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
        r = await _move(running, people[who], invoice_id, action)
        assert r.status_code == 200, (action, r.text)
    return dict(r.json())


async def _credit(
    running: Running, bearer: str, invoice_id: str, lines: list[str] | None = None
) -> httpx.Response:
    body = {} if lines is None else {"lines": lines}
    async with api(running.server, bearer) as http:
        return await http.post(f"/api/invoices/{invoice_id}/credit-notes", json=body)


async def _get(running: Running, bearer: str, path: str) -> Any:
    async with api(running.server, bearer) as http:
        r = await http.get(path)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_whole_credit_note_cancels_the_invoice(running: Running, yjs: YjsClients) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    draft = await _valid_invoice(running, running.accounts["alice"])
    _refused(await _credit(running, people["alice"], draft), 409, "not_creditable")
    invoice_id = draft
    await _through(running, people, invoice_id)
    assert (await _credit(running, people["vera"], invoice_id)).status_code == 403  # a viewer

    offered = await _get(running, people["alice"], f"/api/invoices/{invoice_id}/workflow")
    assert offered["actions"] == ["credit_note"]
    viewer = await _get(running, people["vera"], f"/api/invoices/{invoice_id}/workflow")
    assert viewer["actions"] == []
    # Someone has the original open: it is told when a credit note cancels it.
    await yjs.call("open", name="o", url=running.server.ws, room=invoice_id, token=people["bob"])
    await yjs.synced("o")
    r = await _credit(running, people["alice"], invoice_id)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["kind"] == "credit_note" and made["status"] == "draft"
    assert made["credits"] == {"id": invoice_id, "number": "F2026-000001", "issue_date": ISSUE_DATE}
    assert made["warnings"] == []
    note = made["id"]
    # Pre-filled as the creator's change: the same line under a new id, the same customer.
    content, _ = await stored_document(running.server.data_dir, note)
    [line] = content["lines"]
    assert (line["description"], line["quantity"], line["unit_price"]) == ("Audit", "3", "45.00")
    assert line["tax_rate"] == "20" and line["id"] != "a"
    assert content["invoice"]["customer"]["name"] == "Client SA"
    assert "issue_date" not in content["invoice"]  # its own, set at its issue
    view = await _get(running, people["alice"], f"/api/invoices/{note}/workflow")
    assert view["kind"] == "credit_note" and view["credits"]["number"] == "F2026-000001"

    issued = await _through(running, people, note)
    assert issued["number"] == "A2026-000001"  # the credit-note series, not the invoices'
    listing = await _get(running, people["alice"], f"/api/invoices/{invoice_id}/credit-notes")
    assert (listing["gross"], listing["credited"], listing["remaining"]) == (
        GROSS,
        GROSS,
        "0.00",
    )
    assert [(i["id"], i["number"], i["status"]) for i in listing["items"]] == [
        (note, "A2026-000001", "issued")
    ]
    original = await _get(running, people["alice"], f"/api/invoices/{invoice_id}/workflow")
    assert original["status"] == "cancelled" and original["actions"] == []

    async def told() -> bool:
        notices = (await yjs.call("status", name="o"))["notices"]
        return any(n["type"] == "workflow" and n["status"] == "cancelled" for n in notices)

    await wait_for(told, what="the cancellation notice on the original")
    _refused(await _credit(running, people["alice"], invoice_id), 409, "not_creditable")
    org = running.accounts["alice"].org_id
    audit = await _get(running, people["adam"], f"/api/orgs/{org}/audit?limit=100")
    events = [e["event"] for e in audit["items"]]
    assert "invoice.credit_note_created" in events and "invoice.cancelled" in events


async def test_credit_notes_stay_within_what_remains(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    invoice_id = await _issued(running, people)
    _refused(await _credit(running, people["alice"], invoice_id, ["nope"]), 400, "unknown_line")
    # Two credit notes of the same line while nothing is issued: drafts credit nothing.
    first = (await _credit(running, people["alice"], invoice_id, ["a"])).json()["id"]
    second = (await _credit(running, people["alice"], invoice_id, ["a"])).json()["id"]
    _refused(await _credit(running, people["alice"], first), 409, "not_creditable")
    await _through(running, people, first)
    # The first credited all 162.00: the second no longer fits, at submit.
    body = _refused(
        await _move(running, people["alice"], second, "submit"), 409, "exceeds_remaining"
    )
    assert "0.00" in body["error"], body
    listing = await _get(running, people["bob"], f"/api/invoices/{invoice_id}/credit-notes")
    assert listing["remaining"] == "0.00" and len(listing["items"]) == 2


async def test_concurrent_issues_of_two_credit_notes_credit_once(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    invoice_id = await _issued(running, people)
    notes = [
        (await _credit(running, people["alice"], invoice_id, ["a"])).json()["id"] for _ in "ab"
    ]
    for note in notes:
        for who, action in (("alice", "submit"), ("abe", "approve")):
            assert (await _move(running, people[who], note, action)).status_code == 200
    answers = await asyncio.gather(*(_move(running, people["abe"], n, "issue") for n in notes))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 409], [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.json()["code"] == "exceeds_remaining"
    # The refused issue took no number: the next credit note gets A2026-000002.
    listing = await _get(running, people["alice"], f"/api/invoices/{invoice_id}/credit-notes")
    assert listing["credited"] == GROSS
    assert sorted(i["number"] or "-" for i in listing["items"]) == ["-", "A2026-000001"]


async def test_a_credit_note_is_not_credited_and_other_tenants_see_nothing(
    running: Running,
) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    invoice_id = await _issued(running, people)
    note = (await _credit(running, people["alice"], invoice_id)).json()["id"]
    await _through(running, people, note)
    _refused(await _credit(running, people["alice"], note), 409, "not_creditable")
    stranger = await seed(running.server.data_dir, users={"sam": Role.EDITOR}, org="Other SA")
    bearer = await token(running.server, stranger["sam"])
    assert (await _credit(running, bearer, invoice_id)).status_code == 404
    async with api(running.server, bearer) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/credit-notes")
    assert r.status_code == 404


async def test_a_rejection_reason_becomes_a_thread_on_the_invoice(running: Running) -> None:
    people = await _people(running)
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    assert (await _move(running, people["alice"], invoice_id, "submit")).status_code == 200
    reason = "The PO number is missing"
    r = await _move(running, people["abe"], invoice_id, "reject", reason=reason)
    assert r.status_code == 200, r.text
    threads = (await _get(running, people["bob"], f"/api/invoices/{invoice_id}/comments"))[
        "threads"
    ]
    [thread] = threads
    assert thread["anchor"] == {"path": "invoice"} and thread["status"] == "open"
    [comment] = thread["comments"]
    assert comment["body"] == reason
    assert comment["author"]["id"] == running.accounts["abe"].user_id
    # The creator is told, as if mentioned.
    mine = await _get(running, people["alice"], "/api/notifications")
    assert any(n["thread_id"] == thread["id"] for n in mine["items"]), mine


async def test_the_workflow_view_offers_what_the_caller_may_do(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    invoice_id = await _valid_invoice(running, running.accounts["abe"])

    async def offered(who: str) -> list[str]:
        view = await _get(running, people[who], f"/api/invoices/{invoice_id}/workflow")
        return list(view["actions"])

    assert await offered("abe") == ["submit", "discard"]
    assert await offered("vera") == []
    assert (await _move(running, people["abe"], invoice_id, "submit")).status_code == 200
    # Four-eyes (the default): abe created it, so he may reject or reopen but not approve.
    assert await offered("abe") == ["reject", "reopen"]
    assert await offered("adam") == ["approve", "reject", "reopen"]
    assert await offered("alice") == ["reopen"]
    assert (await _move(running, people["adam"], invoice_id, "approve")).status_code == 200
    view = await _get(running, people["abe"], f"/api/invoices/{invoice_id}/workflow")
    assert view["actions"] == ["issue", "reopen"] and view["next_number"] == "F2026-000001"
    assert view["ever_submitted"] is True and view["credits"] is None
    r = await _move(running, people["abe"], invoice_id, "issue", version=view["version"])
    assert r.status_code == 200 and r.json()["number"] == view["next_number"], r.text
    # Discard is offered only to a draft never submitted.
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    assert (await _move(running, people["alice"], invoice_id, "submit")).status_code == 200
    assert (await _move(running, people["alice"], invoice_id, "reopen")).status_code == 200
    assert await offered("alice") == ["submit"]
