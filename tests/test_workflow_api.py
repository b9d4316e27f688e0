"""POST /api/invoices/{id}/transitions on a real server: the flow from draft to issued, each
refusal with its status and code, the live room turning read-only, and gapless numbers under
concurrent issues."""

from __future__ import annotations

import asyncio
import time
from typing import Any, get_args

import httpx
from pycrdt import Array, Doc, Map

from collab.invoice.workflow import State
from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from server.workflow.schemas import Status
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import Account, YjsClients, db_url, new_invoice, seed, stored_document, wait_for
from tests.test_organization_profile import PROFILE

ISSUE_DATE = "2026-11-27"


def _valid_update() -> bytes:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    header["currency"] = "EUR"
    header["issue_date"] = ISSUE_DATE
    header["due_date"] = "2026-12-27"
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map({"name": "Client SA", "address": Map(address)})
    line = {"id": "a", "description": "Audit", "quantity": "3", "unit_price": "45.00"}
    lines.append(Map({**line, "tax_rate": "20"}))
    return doc.get_update()


async def _valid_invoice(running: Running, creator: Account) -> str:
    """A new invoice whose stored document is ready to submit (written before any room loads)."""
    invoice_id = await new_invoice(running.server.data_dir, creator)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, _valid_update(), creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def _people(running: Running) -> dict[str, str]:
    """Bearer tokens by name: the fixture's editors alice and bob, viewer vera, plus approver
    abe and admin adam (added to `running.accounts`)."""
    extra = await seed(running.server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    running.accounts.update(extra)
    return {name: await token(running.server, running.accounts[name]) for name in running.accounts}


async def _move(
    running: Running, bearer: str, invoice_id: str, action: str, **extra: Any
) -> httpx.Response:
    async with api(running.server, bearer) as http:
        return await http.post(
            f"/api/invoices/{invoice_id}/transitions", json={"action": action, **extra}
        )


async def _profile(running: Running, admin: str) -> None:
    org = running.accounts["alice"].org_id
    async with api(running.server, admin) as http:
        r = await http.put(f"/api/orgs/{org}/profile", json=PROFILE)
    assert r.status_code == 200, r.text


def _refused(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    return body


def test_the_response_names_every_state() -> None:
    assert set(get_args(Status)) == {s.value for s in State}


async def test_submit_approve_issue_gives_the_first_number_and_stamps_the_seller(
    running: Running,
) -> None:
    people = await _people(running)
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    # No seller profile yet: issuing is refused, and no number is taken.
    r = await _move(running, people["alice"], invoice_id, "submit", version=0)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["version"] == 1
    assert r.json()["assignee_id"] is None  # any approver
    r = await _move(running, people["abe"], invoice_id, "approve", version=1)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["assignee_id"] is not None
    body = _refused(
        await _move(running, people["abe"], invoice_id, "issue"), 409, "profile_incomplete"
    )
    assert body["details"][0]["path"] == "profile"
    await _profile(running, people["adam"])
    r = await _move(running, people["abe"], invoice_id, "issue", version=2)
    assert r.status_code == 200, r.text
    issued = r.json()
    assert issued["status"] == "issued" and issued["number"] == "F2026-000001"
    assert issued["issue_date"] == ISSUE_DATE and issued["version"] == 3
    assert issued["seller"]["legal_name"] == PROFILE["legal_name"]
    # Issued: nothing more, and the listing shows the number.
    _refused(await _move(running, people["adam"], invoice_id, "reopen"), 409, "wrong_state")
    async with api(running.server, people["alice"]) as http:
        listed = (await http.get("/api/invoices")).json()["items"]
        org = running.accounts["alice"].org_id
    assert [(i["status"], i["number"]) for i in listed] == [("issued", "F2026-000001")]
    async with api(running.server, people["adam"]) as http:
        events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 100})).json()
    details = [e["detail"] for e in events["items"] if e["event"] == "invoice.transition"]
    assert any("issue: approved -> issued" in d and "F2026-000001" in d for d in details)
    assert len(details) == 3


async def test_each_refusal_has_its_status_and_code(running: Running) -> None:
    people = await _people(running)
    alice, abe = people["alice"], people["abe"]
    empty = await new_invoice(running.server.data_dir, running.accounts["alice"])
    body = _refused(await _move(running, alice, empty, "submit"), 409, "not_valid")
    assert {d["path"] for d in body["details"]} >= {"lines", "invoice.customer.name"}
    _refused(await _move(running, people["vera"], empty, "submit"), 403, "role")
    _refused(await _move(running, alice, empty, "approve"), 403, "role")
    _refused(await _move(running, abe, empty, "approve"), 409, "wrong_state")

    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    _refused(await _move(running, alice, invoice_id, "submit", version=4), 409, "stale_version")
    assert (await _move(running, alice, invoice_id, "submit")).status_code == 200
    _refused(await _move(running, alice, invoice_id, "discard"), 409, "wrong_state")
    _refused(await _move(running, abe, invoice_id, "reject"), 400, "reason_required")
    _refused(await _move(running, abe, invoice_id, "reject", reason="  "), 400, "reason_required")
    r = await _move(running, abe, invoice_id, "reject", reason="wrong customer")
    assert r.status_code == 200 and r.json()["status"] == "draft", r.text
    assert r.json()["assignee_id"] == running.accounts["alice"].user_id  # back to its creator
    # Submitted once: kept, never discarded.
    _refused(await _move(running, alice, invoice_id, "discard"), 409, "was_submitted")

    # Four-eyes: the approver who created an invoice cannot approve it, not even an admin.
    own = await _valid_invoice(running, running.accounts["abe"])
    assert (await _move(running, abe, own, "submit")).status_code == 200
    _refused(await _move(running, abe, own, "approve"), 403, "four_eyes")
    assert (await _move(running, people["adam"], own, "approve")).status_code == 200
    # Undoing someone's approval takes an approver; back in draft the approval is void.
    _refused(await _move(running, alice, own, "reopen"), 403, "role")
    r = await _move(running, abe, own, "reopen")
    assert r.status_code == 200 and r.json()["status"] == "draft", r.text
    assert r.json()["approved_by"] is None
    _refused(await _move(running, abe, own, "issue"), 409, "wrong_state")


async def test_a_discarded_draft_leaves_the_listing(running: Running) -> None:
    people = await _people(running)
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    r = await _move(running, people["bob"], invoice_id, "discard")
    assert r.status_code == 200 and r.json()["status"] == "discarded", r.text
    async with api(running.server, people["alice"]) as http:
        assert (await http.get("/api/invoices")).json()["total"] == 0
        asked = (await http.get("/api/invoices", params={"status": "discarded"})).json()
        assert [i["id"] for i in asked["items"]] == [invoice_id]
    _refused(await _move(running, people["alice"], invoice_id, "submit"), 409, "wrong_state")


async def test_live_editors_turn_read_only_at_submit_and_converge(
    running: Running, yjs: YjsClients
) -> None:
    people = await _people(running)
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    await yjs.call("open", name="a", url=running.server.ws, room=invoice_id, token=people["alice"])
    await yjs.synced("a")
    await yjs.call("set", name="a", key="payment_terms", value="Net 30")

    async def saved() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        return bool(stored["invoice"].get("payment_terms") == "Net 30")

    await wait_for(saved, what="the edit before the submit")
    r = await _move(running, people["bob"], invoice_id, "submit")
    assert r.status_code == 200, r.text

    async def told() -> bool:
        notices = (await yjs.call("status", name="a"))["notices"]
        return any(n["type"] == "workflow" and n["status"] == "submitted" for n in notices)

    await wait_for(told, what="the workflow notice")
    await yjs.call("set", name="a", key="payment_terms", value="Net 60")

    async def refused_and_converged() -> bool:
        status = await yjs.call("status", name="a")
        refusals = [n for n in status["notices"] if n["type"] == "update_refused"]
        assert refusals and "submitted" in refusals[0]["reason"]
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        assert stored["invoice"]["payment_terms"] == "Net 30"
        assert (await yjs.state("a"))["json"]["invoice"] == stored["invoice"]
        return True

    await wait_for(refused_and_converged, what="the refusal and the frozen state everywhere")

    # The editor withdraws the submission: the room accepts edits again at once.
    r = await _move(running, people["alice"], invoice_id, "reopen")
    assert r.status_code == 200 and r.json()["status"] == "draft", r.text

    async def reopened() -> bool:
        notices = (await yjs.call("status", name="a"))["notices"]
        last = [n for n in notices if n["type"] == "workflow"][-1]
        return bool(last["status"] == "draft" and last["read_only"] is None)

    await wait_for(reopened, what="the reopening notice")
    await yjs.call("set", name="a", key="payment_terms", value="Net 45")

    async def edited() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        return bool(stored["invoice"]["payment_terms"] == "Net 45")

    await wait_for(edited, what="an edit accepted after the reopen")
    # Back in draft the submission is void: approving is the wrong state now.
    _refused(await _move(running, people["abe"], invoice_id, "approve"), 409, "wrong_state")


async def test_concurrent_issues_take_consecutive_numbers(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    ids = [await _valid_invoice(running, running.accounts["alice"]) for _ in range(20)]
    for invoice_id in ids:
        assert (await _move(running, people["alice"], invoice_id, "submit")).status_code == 200
        assert (await _move(running, people["abe"], invoice_id, "approve")).status_code == 200
    answers = await asyncio.gather(
        *(_move(running, people["abe"], invoice_id, "issue") for invoice_id in ids)
    )
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    numbers = sorted(r.json()["number"] for r in answers)
    assert numbers == [f"F2026-{n:06d}" for n in range(1, 21)]
