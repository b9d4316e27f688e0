"""The EN 16931 gate at issue, on a real server: an invoice our own checks let through but the
official Schematron refuses is not issued, the refusal names the rule and the field to fix, and
no number is taken."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy.ext.asyncio import async_sessionmaker

from collab.sync import LogEntry
from server.core.db import create_engine
from server.exports import service as exports
from server.invoices.store import SqlUpdateStore
from server.workflow import service as workflow
from tests.access_helpers import api
from tests.conftest import Running
from tests.harness import db_url, new_invoice
from tests.test_workflow_api import _move, _people, _profile, _valid_invoice


def _intra_community(buyer_vat: str | None) -> bytes:
    """An intra-community supply (category K, 0 %) to a Belgian business."""
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = "2026-12-27"
    customer = {"name": "Klant NV"}
    if buyer_vat is not None:
        customer["vat_id"] = buyer_vat
    address = {"line1": "Rue Haute 1", "postcode": "1000", "city": "Bruxelles", "country": "BE"}
    header["customer"] = Map({**customer, "address": Map(address)})
    line = {"id": "a", "description": "Machine", "quantity": "1", "unit_price": "1000.00"}
    lines.append(Map({**line, "tax_category": "K", "tax_rate": "0"}))
    return doc.get_update()


async def test_the_schematron_refuses_an_issue_and_names_the_field(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    alice = running.accounts["alice"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, _intra_community(None), alice.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    # Long before anyone presses Issue, the editor is told, on the field.
    async with api(running.server, people["bob"]) as http:
        first = (await http.get(f"/api/invoices/{invoice_id}/compliance")).json()
        again = (await http.get(f"/api/invoices/{invoice_id}/compliance")).json()
    assert first["valid"] is False and again["checked"] == first["checked"]
    assert {"path": "invoice.customer.vat_id", "rule": "BR-IC-02"}.items() <= first["fatal"][
        0
    ].items()
    for who, action in (("alice", "submit"), ("abe", "approve")):
        r = await _move(running, people[who], invoice_id, action)
        assert r.status_code == 200, (action, r.text)
    r = await _move(running, people["abe"], invoice_id, "issue")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "not_compliant", body
    # BR-IC-02: an intra-community supply names the buyer's VAT identifier (BT-48).
    findings = {d["path"]: d["message"] for d in body["details"]}
    assert findings["invoice.customer.vat_id"].startswith("BR-IC-02: An Invoice"), findings
    # Nothing was issued and no number was taken: the state is still approved.
    view = await _get_workflow(running, people["abe"], invoice_id)
    assert view["status"] == "approved" and view["number"] is None
    assert view["next_number"] == "F2026-000001"


async def _get_workflow(running: Running, bearer: str, invoice_id: str) -> dict[str, Any]:
    async with api(running.server, bearer) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/workflow")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_compliant_draft_is_said_so(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    invoice_id = await _valid_invoice(running, running.accounts["alice"])
    async with api(running.server, people["vera"]) as http:  # any reader
        r = await http.get(f"/api/invoices/{invoice_id}/compliance")
    assert r.status_code == 200, r.text
    assert r.json()["valid"] is True and r.json()["fatal"] == []


ROOTS: dict[str, Any] = {"invoice": Map, "lines": Array, "adjustments": Array}


def _bare_allowance() -> bytes:
    """A valid invoice but for a document allowance with neither reason nor reason code."""
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    adjustments = doc.get("adjustments", type=Array)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = "2026-12-27"
    address = {"line1": "1 avenue Foch", "postcode": "69006", "city": "Lyon", "country": "FR"}
    header["customer"] = Map({"name": "Client SA", "address": Map(address)})
    line = {"id": "a", "description": "Audit", "quantity": "2", "unit_price": "500.00"}
    lines.append(Map({**line, "tax_category": "S", "tax_rate": "20"}))
    bare = {"id": "bare", "line": "", "type": "allowance", "amount": "50.00"}
    adjustments.append(Map({**bare, "tax_category": "S", "tax_rate": "20"}))
    return doc.get_update()


async def test_an_allowance_without_a_reason_is_refused_with_br_33(running: Running) -> None:
    """Submit already refuses this draft (the editor's `reason_required`), so the workflow never
    reaches the gate with it: the gate the workflow registers is called as issuing calls it,
    and it refuses with the Schematron's BR-33 on the row's reason."""
    people = await _people(running)
    await _profile(running, people["adam"])
    alice = running.accounts["alice"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, _bare_allowance(), alice.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    document = Doc[Any]()
    document.apply_update(_bare_allowance())
    content = {root: document.get(root, type=kind).to_py() for root, kind in ROOTS.items()}
    check = workflow.IssueCheck(invoice_id, content, date(2026, 11, 27))
    found = await exports.issue_gate(async_sessionmaker(engine, expire_on_commit=False), check)
    await engine.dispose()
    placed = [message for path, message in found if path == "adjustments.bare.reason"]
    assert any(m.startswith("BR-33: ") for m in placed), found
    assert not [m for _, m in found if "reason_required" in m]
    # The editor is told the same, on the same field, long before anyone presses Issue.
    async with api(running.server, people["bob"]) as http:
        report = (await http.get(f"/api/invoices/{invoice_id}/compliance")).json()
    assert {"path": "adjustments.bare.reason", "rule": "BR-33"}.items() <= next(
        f for f in report["fatal"] if f["rule"] == "BR-33"
    ).items()
