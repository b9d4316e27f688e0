"""GET /api/invoices/{id}/cii.xml and /ubl.xml on a real server: any member reads them, other
organizations get the same 404 as for the invoice, drafts say DRAFT, issued invoices carry what
issuing stamped, and every answer reports the XSD + Schematron result."""

from __future__ import annotations

import time
from typing import Any

import httpx
from lxml import etree  # type: ignore[import-untyped]
from pycrdt import Array, Doc, Map

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import Account, db_url, new_invoice, seed
from tests.invoices_en16931 import CASES
from tests.test_organization_profile import PROFILE

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
ISSUE_DATE = "2026-03-02"


def _update(content: dict[str, Any]) -> bytes:
    """The document as one Yjs update, maps nested as the editor writes them."""
    doc: Doc[Any] = Doc()
    header, lines = doc.get("invoice", type=Map), doc.get("lines", type=Array)
    adjustments = doc.get("adjustments", type=Array)

    def as_map(value: dict[str, Any]) -> Map[Any]:
        return Map({k: as_map(v) if isinstance(v, dict) else v for k, v in value.items()})

    for key, value in content["invoice"].items():
        header[key] = as_map(value) if isinstance(value, dict) else value
    for row in content["lines"]:
        lines.append(as_map(row))
    for row in content.get("adjustments", []):
        adjustments.append(as_map(row))
    return doc.get_update()


async def _invoice(running: Running, creator: Account, content: dict[str, Any]) -> str:
    invoice_id = await new_invoice(running.server.data_dir, creator)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, _update(content), creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def _get(running: Running, bearer: str, path: str, **headers: str) -> httpx.Response:
    async with api(running.server, bearer) as http:
        return await http.get(path, headers=headers)


async def _move(running: Running, bearer: str, invoice_id: str, action: str) -> None:
    async with api(running.server, bearer) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/transitions", json={"action": action})
    assert r.status_code == 200, r.text


async def _put_profile(running: Running, bearer: str, org: str, **change: Any) -> None:
    async with api(running.server, bearer) as http:
        r = await http.put(f"/api/orgs/{org}/profile", json={**PROFILE, **change})
    assert r.status_code == 200, r.text


async def test_exports_of_a_draft_then_of_the_issued_invoice(running: Running) -> None:
    extra = await seed(running.server.data_dir, users={"abe": Role.APPROVER, "adam": Role.ADMIN})
    running.accounts.update(extra)
    people = {name: await token(running.server, a) for name, a in running.accounts.items()}
    org = running.accounts["alice"].org_id
    await _put_profile(running, people["adam"], org)
    content = CASES["rates_20_10_5_5"].document
    content = {**content, "invoice": {**content["invoice"], "issue_date": ISSUE_DATE}}
    invoice_id = await _invoice(running, running.accounts["alice"], content)

    # A viewer reads the draft's XML: number DRAFT, compliant, as XML by default.
    r = await _get(running, people["vera"], f"/api/invoices/{invoice_id}/cii.xml")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert r.headers["x-en16931-valid"] == "true", r.headers["x-en16931-fatal"]
    tree = etree.fromstring(r.content)
    assert tree.findtext(f".//{{{RAM}}}ID") == "urn:cen.eu:en16931:2017"
    assert tree.find(f".//{{{RAM}}}IncludedSupplyChainTradeLineItem") is not None
    assert b">DRAFT<" in r.content

    for action, who in (("submit", "alice"), ("approve", "abe"), ("issue", "abe")):
        await _move(running, people[who], invoice_id, action)
    # The profile changes after issue: the issued invoice keeps the seller stamped at issue.
    await _put_profile(running, people["adam"], org, legal_name="Renamed SAS")

    r = await _get(running, people["vera"], f"/api/invoices/{invoice_id}/ubl.xml")
    assert r.status_code == 200, r.text
    assert r.headers["x-en16931-valid"] == "true", r.headers["x-en16931-fatal"]
    tree = etree.fromstring(r.content)
    assert tree.findtext(f"{{{CBC}}}ID") == "F2026-000001"
    assert tree.findtext(f"{{{CBC}}}IssueDate") == ISSUE_DATE
    assert PROFILE["legal_name"].encode() in r.content and b"Renamed" not in r.content
    assert 'filename="F2026-000001.ubl.xml"' in r.headers["content-disposition"]

    # Asked for JSON: the XML and the check's findings.
    r = await _get(
        running,
        people["alice"],
        f"/api/invoices/{invoice_id}/cii.xml",
        accept="application/json",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] is True and body["fatal"] == [] and body["number"] == "F2026-000001"
    assert body["syntax"] == "cii" and body["xml"].startswith("<?xml")

    # Every file taken is in the trail: who, which format, which number.
    r = await _get(running, people["adam"], f"/api/orgs/{org}/audit?limit=100")
    taken = [
        (e["actor_id"], e["detail"]) for e in r.json()["items"] if e["event"] == "invoice.exported"
    ]
    vera, alice = running.accounts["vera"].user_id, running.accounts["alice"].user_id
    assert sorted(taken, key=str) == sorted(
        [(vera, "cii of DRAFT"), (vera, "ubl of F2026-000001"), (alice, "cii of F2026-000001")],
        key=str,
    )


async def test_allowances_and_charges_are_exported_and_valid(running: Running) -> None:
    """The routes carry the `adjustments` root: a shipping charge of 15.00 (FC) at 20 %, and a
    document allowance of 9.00 (tests/invoices_en16931.py works the figures)."""
    people = await _people_with_profile(running)
    for case, total, expected in (
        ("document_charge_shipping", "ChargeTotalAmount", "15.00"),
        ("credit_note_allowance", "AllowanceTotalAmount", "9.00"),
    ):
        invoice_id = await _invoice(running, running.accounts["alice"], CASES[case].document)
        for syntax in ("cii", "ubl"):
            r = await _get(running, people, f"/api/invoices/{invoice_id}/{syntax}.xml")
            assert r.status_code == 200, r.text
            assert r.headers["x-en16931-valid"] == "true", r.headers["x-en16931-fatal"]
            assert f"{total}".encode() in r.content and f">{expected}<".encode() in r.content


async def _people_with_profile(running: Running) -> str:
    extra = await seed(running.server.data_dir, users={"adam": Role.ADMIN})
    running.accounts.update(extra)
    admin = await token(running.server, running.accounts["adam"])
    await _put_profile(running, admin, running.accounts["alice"].org_id)
    return await token(running.server, running.accounts["alice"])


async def test_a_draft_that_breaks_rules_is_exported_with_its_findings(running: Running) -> None:
    bearer = await token(running.server, running.accounts["alice"])
    # No seller profile and no customer: the Schematron names what is missing.
    invoice_id = await _invoice(
        running, running.accounts["alice"], {"invoice": {"currency": "EUR"}, "lines": []}
    )
    r = await _get(running, bearer, f"/api/invoices/{invoice_id}/ubl.xml")
    assert r.status_code == 200, r.text
    assert r.headers["x-en16931-valid"] == "false"
    fatal = set(r.headers["x-en16931-fatal"].split())
    assert {"BR-06", "BR-07", "BR-16"} <= fatal  # seller name, buyer name, at least one line


async def test_other_organizations_and_unknown_ids_get_404(running: Running) -> None:
    invoice_id = await _invoice(running, running.accounts["alice"], CASES["standard_20"].document)
    olga = (await seed(running.server.data_dir, org="Other", users={"olga": Role.ADMIN}))["olga"]
    stranger = await token(running.server, olga)
    for syntax in ("cii", "ubl"):
        r = await _get(running, stranger, f"/api/invoices/{invoice_id}/{syntax}.xml")
        assert r.status_code == 404, r.text
        assert r.json() == {"error": "no such invoice"}
        r = await _get(running, stranger, f"/api/invoices/not-an-id/{syntax}.xml")
        assert r.status_code == 404, r.text
    async with api(running.server) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/cii.xml")
    assert r.status_code == 401


async def test_an_unknown_currency_cannot_be_exported(running: Running) -> None:
    bearer = await token(running.server, running.accounts["alice"])
    content = CASES["standard_20"].document
    content = {**content, "invoice": {**content["invoice"], "currency": "XXX"}}
    invoice_id = await _invoice(running, running.accounts["alice"], content)
    r = await _get(running, bearer, f"/api/invoices/{invoice_id}/cii.xml")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "not_exportable"
