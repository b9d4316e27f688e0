"""Bank reconciliation through the real server, on SQLite and PostgreSQL: a hand-written
camt.053 statement (tests/data/camt053_example.xml) imported once however often it is sent,
its credits' suggestions (exact, partial, ambiguous, unknown), confirmations recording
payments (one wins when two race), refusals, and a CSV with a column mapping.

Every invoice here is one line 3 x 45.00 at 20 %: 135.00 + 27.00 VAT = 162.00 due.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.test_payments_api import Shop, _draft, _get, _seed, _through
from tests.test_payments_api import shop as shop
from tests.test_payments_api import sqlite_shop as sqlite_shop

CAMT = (Path(__file__).parent / "data" / "camt053_example.xml").read_bytes()
ONE_LINE = (("a", "3", "45.00", "20"),)
XML = {"content-type": "application/xml"}


async def _issued(shop: Shop, customer: str) -> str:
    invoice_id = await _draft(shop, customer=customer, prepaid=None, lines=ONE_LINE)
    await _through(shop, invoice_id)
    return invoice_id


async def _four(shop: Shop) -> list[str]:
    """F2026-000001 to 000004, the numbers the statement's payers quote."""
    made = [
        await _issued(shop, name)
        for name in ("Client SA", "Bernard SARL", "Dupont & Fils", "Dupont  & fils")
    ]
    numbers = [(await _get(shop, f"/api/invoices/{i}"))["number"] for i in made]
    assert numbers == [f"F2026-00000{n}" for n in range(1, 5)], numbers
    return made


async def _post(shop: Shop, path: str, who: str = "cora", **kwargs: Any) -> httpx.Response:
    async with api(shop.server, shop.bearers[who]) as http:
        return await http.post(path, **kwargs)


async def _import(shop: Shop, body: bytes = CAMT, who: str = "cora", **params: str) -> Any:
    r = await _post(shop, f"/api/orgs/{shop.org}/statements", who, content=body, headers=XML,
                    params=params)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _refused(r: httpx.Response, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    if code is not None:
        assert r.json().get("code") == code, r.text


async def test_a_statement_is_matched_confirmed_and_imported_once(shop: Shop) -> None:
    client, bernard, dupont_a, dupont_b = await _four(shop)
    first = await _import(shop)
    assert (first["format"], first["bank_id"]) == ("camt.053", "2026-12-02-FR76-3000")
    assert first["account"] == "FR7630006000011234567890189"
    assert (first["added"], first["known"], first["debits"]) == (4, 0, 1)
    lines = first["lines"]
    assert [(line["amount"], line["debtor"]) for line in lines] == [
        ("162.00", "CLIENT SA"),
        ("100.00", "BERNARD SARL"),
        ("162.00", "DUPONT & FILS"),
        ("75.30", "Inconnu GmbH"),
    ]
    assert [line["match"] for line in lines] == ["exact", "partial", "ambiguous", "unknown"]
    assert [line["state"] for line in lines] == ["open"] * 4
    assert lines[0]["structured"] and lines[0]["reference"] == "RF82F2026000001"
    assert lines[0]["bank_reference"] == "2026120200001" and lines[3]["bank_reference"] is None
    suggested = [[(s["invoice_id"], s["basis"]) for s in line["suggestions"]] for line in lines]
    assert suggested == [
        [(client, "reference")],
        [(bernard, "number")],
        [(dupont_a, "amount_and_name"), (dupont_b, "amount_and_name")],
        [],
    ]
    assert lines[0]["suggestions"][0]["rf_reference"] == "RF82F2026000001"
    assert lines[1]["suggestions"][0]["outstanding"] == "162.00"

    # The same file again adds nothing: every credit is already a line.
    again = await _import(shop)
    assert (again["added"], again["known"], again["debits"]) == (0, 4, 1)
    assert again["lines"] == []
    listing = await _get(shop, f"/api/orgs/{shop.org}/statements", who="cora")
    assert [s["id"] for s in listing["statements"]] == [again["id"], first["id"]]
    assert [line["id"] for line in listing["open_lines"]] == [line["id"] for line in lines]

    # Confirming records the payment: paid in full, then a deposit.
    r = await _post(shop, f"/api/statements/lines/{lines[0]['id']}/confirm",
                    json={"invoice_id": client})  # fmt: skip
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["state"], done["invoice_id"]) == ("matched", client)
    payment = done["payment"]
    assert (payment["amount"], payment["date"], payment["method"]) == (
        "162.00",
        "2026-12-02",
        "transfer",
    )
    assert payment["reference"] == "2026120200001" and payment["invoice"]["status"] == "paid"
    assert done["payment_id"] == payment["id"]
    r = await _post(shop, f"/api/statements/lines/{lines[1]['id']}/confirm",
                    json={"invoice_id": bernard}, who="adam")  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["payment"]["invoice"]["status"] == "partially_paid"
    assert r.json()["payment"]["invoice"]["outstanding"] == "62.00"
    paid = await _get(shop, f"/api/invoices/{bernard}/payments")
    assert [(p["amount"], p["reference"]) for p in paid["items"]] == [("100.00", "2026120200002")]
    assert (await _get(shop, f"/api/invoices/{client}/payments"))["status"] == "paid"

    # Matched once: a second confirmation, even to another invoice, is a 409.
    for target in (client, dupont_a):
        r = await _post(shop, f"/api/statements/lines/{lines[0]['id']}/confirm",
                        json={"invoice_id": target})  # fmt: skip
        _refused(r, 409, "already_matched")
    _refused(await _post(shop, f"/api/statements/lines/{lines[0]['id']}/ignore"), 409)
    r = await _post(shop, f"/api/statements/lines/{lines[3]['id']}/ignore")
    assert r.status_code == 200 and r.json()["state"] == "ignored", r.text

    # The ambiguous credit is decided by the accountant: Dupont's first invoice.
    r = await _post(shop, f"/api/statements/lines/{lines[2]['id']}/confirm",
                    json={"invoice_id": dupont_a})  # fmt: skip
    assert r.status_code == 200 and r.json()["payment"]["invoice"]["status"] == "paid"

    detail = await _get(shop, f"/api/statements/{first['id']}", who="adam")
    assert [line["state"] for line in detail["lines"]] == [
        "matched",
        "matched",
        "matched",
        "ignored",
    ]
    assert detail["counts"] == {"open": 0, "matched": 3, "ignored": 1}
    assert (await _get(shop, f"/api/orgs/{shop.org}/statements", who="cora"))["open_lines"] == []

    audit = await _get(shop, f"/api/orgs/{shop.org}/audit?limit=200", who="adam")
    events = [e["event"] for e in audit["items"]]
    assert events.count("org.statement_imported") == 2
    assert events.count("invoice.statement_line_matched") == 3
    assert events.count("org.statement_line_ignored") == 1
    assert events.count("invoice.payment_recorded") == 3
    verdict = await _get(shop, f"/api/orgs/{shop.org}/audit/verify", who="adam")
    assert verdict["ok"] is True, verdict


async def test_concurrent_confirmations_of_one_line(shop: Shop) -> None:
    client = (await _four(shop))[0]
    line = (await _import(shop))["lines"][0]
    clients = [api(shop.server, shop.bearers["cora" if n % 2 else "adam"]) for n in range(4)]
    path = f"/api/statements/lines/{line['id']}/confirm"
    try:
        answers = await asyncio.gather(
            *(http.post(path, json={"invoice_id": client}) for http in clients)
        )
    finally:
        for http in clients:
            await http.aclose()
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409], [r.text for r in answers]
    assert all(r.json()["code"] == "already_matched" for r in answers if r.status_code == 409)
    paid = await _get(shop, f"/api/invoices/{client}/payments")
    assert len(paid["items"]) == 1 and paid["balance"]["paid"] == "162.00"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>&lol9;</Id></Stmt></BkToCstmrStmt></Document>"""


async def test_refusals(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    client = (await _four(shop))[0]
    org_path = f"/api/orgs/{shop.org}/statements"
    for who in ("alice", "abe", "vera"):  # editor, approver, viewer: no payment.manage
        _refused(await _post(shop, org_path, who, content=CAMT, headers=XML), 403)
        async with api(shop.server, shop.bearers[who]) as http:
            _refused(await http.get(org_path), 403)
    bad = {
        b"<Document><BkToCstmrStmt>": "malformed_xml",
        b"not xml at all": "malformed_xml",
        BOMB: "dtd_not_allowed",
        b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>": (
            "not_a_statement"
        ),
        CAMT.replace(b'<Amt Ccy="EUR">75.30</Amt>', b'<Amt Ccy="EUR">7,30</Amt>'): ("bad_entry"),
    }
    for body, code in bad.items():
        _refused(await _post(shop, org_path, content=body, headers=XML), 400, code)
    # Above 5 MiB: a 413, or the connection cut once 4 MiB more were drained
    # (server/core/body_limit.py); tests/test_reconciliation_statements.py checks the limit.
    try:
        r = await _post(shop, org_path, content=b"<x/>" + b" " * (6 * 1024 * 1024), headers=XML)
        _refused(r, 413)
    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
        pass
    _refused(await _post(shop, org_path, content=b"a;b\n", params={"format": "csv"}), 400)
    listing = await _get(shop, org_path, who="adam")
    assert listing["statements"] == []  # nothing refused left a trace

    line = (await _import(shop))["lines"][0]
    # Another organization's accountant: its ids are unknown ids.
    stranger = await _seed(shop.url, "Other SA", {"oscar": Role.ACCOUNTANT})
    bearer = await token(shop.server, stranger["oscar"])
    async with api(shop.server, bearer) as http:
        _refused(await http.post(org_path, content=CAMT, headers=XML), 404)
        _refused(await http.get(org_path), 404)
        _refused(await http.get(f"/api/statements/{line['statement_id']}"), 404)
        confirm = f"/api/statements/lines/{line['id']}/confirm"
        _refused(await http.post(confirm, json={"invoice_id": client}), 404)
        _refused(await http.post(f"/api/statements/lines/{line['id']}/ignore"), 404)
        _refused(await http.get("/api/statements/not-an-id"), 404)
        # Its own statement cannot pay our invoice, nor ours theirs.
        r = await http.post(f"/api/orgs/{stranger['oscar'].org_id}/statements", content=CAMT,
                            headers=XML)  # fmt: skip
        assert r.status_code == 201, r.text
        theirs = r.json()["lines"][0]
        assert r.json()["added"] == 4  # the same bank reference in another organization
        assert theirs["suggestions"] == []
        r = await http.post(f"/api/statements/lines/{theirs['id']}/confirm",
                            json={"invoice_id": client})  # fmt: skip
        _refused(r, 404)
    r = await _post(shop, f"/api/statements/lines/{line['id']}/confirm",
                    json={"invoice_id": "00000000-0000-0000-0000-000000000000"})  # fmt: skip
    _refused(r, 404)
    # A draft is not payable: the payment's own 409, and the line stays open.
    draft = await _draft(shop, customer="Client SA", prepaid=None, lines=ONE_LINE)
    r = await _post(shop, f"/api/statements/lines/{line['id']}/confirm",
                    json={"invoice_id": draft})  # fmt: skip
    _refused(r, 409, "not_issued")
    again = await _get(shop, f"/api/statements/{line['statement_id']}", who="cora")
    assert again["lines"][0]["state"] == "open"


CSV = """Date;Libellé;Montant;Donneur d'ordre;Réf. banque
02/12/2026;VIR SEPA F2026-000001;162,00;CLIENT SA;B-9001
03.12.2026;VIR SEPA ACOMPTE;1 000,00;Inconnu;B-9002
03/12/2026;PRLV FOURNISSEUR;-250,00;Papeterie;B-9003
2026-12-04;RF55 F202 6000 002;100,5;Bernard SARL;
"""


async def test_a_csv_with_a_mapping_and_a_decimal_comma(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    client, bernard, *_ = await _four(shop)
    mapping = {
        "format": "csv",
        "date": "Date",
        "amount": "Montant",
        "reference": "Libellé",
        "name": "Donneur d'ordre",
        "bank_reference": "Réf. banque",
        "decimal": ",",
        "delimiter": ";",
    }
    made = await _import(shop, CSV.encode("utf-8-sig"), **mapping)
    assert (made["format"], made["added"], made["debits"]) == ("csv", 3, 1)
    assert [
        (line["booking_date"], line["amount"], line["bank_reference"]) for line in made["lines"]
    ] == [
        ("2026-12-02", "162.00", "B-9001"),
        ("2026-12-03", "1000.00", "B-9002"),
        ("2026-12-04", "100.50", None),
    ]
    assert [line["match"] for line in made["lines"]] == ["exact", "unknown", "partial"]
    assert made["lines"][0]["suggestions"][0]["invoice_id"] == client
    assert made["lines"][2]["suggestions"][0]["invoice_id"] == bernard
    assert made["lines"][2]["suggestions"][0]["basis"] == "reference"
    again = await _import(shop, CSV.encode("utf-8-sig"), **mapping)
    assert (again["added"], again["known"]) == (0, 3)
    r = await _post(shop, f"/api/orgs/{shop.org}/statements", content=CSV.encode(),
                    params={**mapping, "amount": "Amount"})  # fmt: skip
    _refused(r, 400, "bad_mapping")
