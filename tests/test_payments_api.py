"""Payments through the real server, on SQLite and on PostgreSQL: recording payments moves an
issued invoice to partially_paid and paid, overpayments and refunds are counted, concurrent
recordings all count, and the audit chain still verifies. The shop and the helpers here serve
tests/test_payments_refusals.py (what is refused, which amounts are taken) and
tests/test_payments_receivables.py (what each customer owes) too.

The invoice of `_update()`, worked by hand (SPEC section 3):

    line a  3 x 45.00 = 135.00 at 20 %      VAT 27.00
    line b  2 x 12.50 =  25.00 at 10 %      VAT  2.50
    net 160.00, VAT 29.50, gross 189.50; prepaid 50.00 -> amount due 139.50

Its credit note of line b credits 25.00 + 2.50 = 27.50, so what is due becomes 112.00.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array, Doc, Map

from collab.sync import LogEntry
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, migrate, sessions
from server.invoices import service as invoices
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.databases import KINDS, migrated_database
from tests.harness import Account, ServerProcess, db_url, wait_for
from tests.test_organization_profile import PROFILE

DUE = "139.50"
PEOPLE = {
    "alice": Role.EDITOR,
    "abe": Role.APPROVER,
    "adam": Role.ADMIN,
    "cora": Role.ACCOUNTANT,
    "vera": Role.VIEWER,
}


@dataclass
class Shop:
    """A server on its database, its people (by name: account and bearer token)."""

    server: ServerProcess
    url: str
    accounts: dict[str, Account]
    bearers: dict[str, str]

    @property
    def org(self) -> str:
        return self.accounts["adam"].org_id


@pytest.fixture(params=KINDS)
async def shop(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Shop]:
    if request.param == "sqlite":
        async with _shop(tmp_path, db_url(tmp_path)) as started:
            yield started
        return
    async with migrated_database("postgresql", tmp_path) as url, _shop(tmp_path, url) as started:
        yield started


@pytest.fixture
async def sqlite_shop(tmp_path: Path) -> AsyncIterator[Shop]:
    async with _shop(tmp_path, db_url(tmp_path)) as started:
        yield started


@asynccontextmanager
async def _shop(data_dir: Path, url: str) -> AsyncIterator[Shop]:
    made = await _seed(url, "Acme", PEOPLE)
    server = ServerProcess(data_dir, DATABASE_URL=url)
    try:
        await server.start()
        bearers = {name: await token(server, account) for name, account in made.items()}
        shop = Shop(server, url, made, bearers)
        async with api(server, bearers["adam"]) as http:
            r = await http.put(f"/api/orgs/{shop.org}/profile", json=PROFILE)
        assert r.status_code == 200, r.text
        yield shop
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


async def _seed(url: str, org: str, people: dict[str, Role]) -> dict[str, Account]:
    engine = create_engine(url)
    await migrate(engine)
    made: dict[str, Account] = {}
    async with sessions(engine).begin() as db:
        organization = await accounts.create_org(db, name=org)
        for name, role in people.items():
            email = f"{name}@{org.lower()}.test"
            user = await accounts.create_user(
                db, org=organization, email=email, password="correct horse", role=role, name=name
            )
            made[name] = Account(email, "correct horse", user.id, organization.id)
    await engine.dispose()
    return made


def _update(
    *,
    customer: str = "Client SA",
    currency: str = "EUR",
    vat_id: str | None = None,
    issue_date: str = "2026-11-27",
    due_date: str = "2099-12-31",
    prepaid: str | None = "50.00",
    lines: tuple[tuple[str, str, str, str], ...] = (
        ("a", "3", "45.00", "20"),
        ("b", "2", "12.50", "10"),
    ),
) -> bytes:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    rows = doc.get("lines", type=Array)
    header["currency"] = currency
    header["issue_date"] = issue_date
    header["due_date"] = due_date
    if prepaid is not None:
        header["prepaid"] = prepaid
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    person: dict[str, Any] = {"name": customer, "address": Map(address)}
    if vat_id is not None:
        person["vat_id"] = vat_id
    header["customer"] = Map(person)
    for line_id, quantity, price, rate in lines:
        line = {"id": line_id, "description": f"Work {line_id}", "quantity": quantity}
        rows.append(Map({**line, "unit_price": price, "tax_rate": rate}))
    return doc.get_update()


async def _draft(shop: Shop, **content: Any) -> str:
    """A draft of alice's whose stored document is `_update(**content)`."""
    alice = shop.accounts["alice"]
    engine = create_engine(shop.url)
    try:
        async with sessions(engine).begin() as db:
            invoice = await invoices.create_invoice(db, user_id=alice.user_id, org_id=alice.org_id)
        entry = LogEntry(invoice.id, 1, _update(**content), alice.user_id, time.time())
        await SqlUpdateStore(engine).write([entry], [])
    finally:
        await engine.dispose()
    return invoice.id


async def _move(shop: Shop, who: str, invoice_id: str, action: str) -> None:
    async with api(shop.server, shop.bearers[who]) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/transitions", json={"action": action})
    assert r.status_code == 200, (action, r.text)


async def _through(shop: Shop, invoice_id: str) -> None:
    for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
        await _move(shop, who, invoice_id, action)


async def _issued(shop: Shop, **content: Any) -> str:
    invoice_id = await _draft(shop, **content)
    await _through(shop, invoice_id)
    return invoice_id


async def _pay(
    shop: Shop, invoice_id: str, amount: Any, *, who: str = "cora", **extra: Any
) -> httpx.Response:
    body = {"amount": amount, "date": "2026-12-01", "method": "transfer", **extra}
    async with api(shop.server, shop.bearers[who]) as http:
        return await http.post(f"/api/invoices/{invoice_id}/payments", json=body)


async def _get(shop: Shop, path: str, who: str = "vera") -> Any:
    async with api(shop.server, shop.bearers[who]) as http:
        r = await http.get(path)
    assert r.status_code == 200, r.text
    return r.json()


def _ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _refused(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert isinstance(body["error"], str) and body["error"]
    if code is not None:
        assert body.get("code") == code, body
    return body


def _amounts(balance: dict[str, Any]) -> tuple[str, ...]:
    keys = ("due", "credited", "paid", "refunded", "outstanding", "overpaid")
    return tuple(balance[key] for key in keys)


async def _card_stage(shop: Shop, invoice_id: str) -> str:
    board = await _get(shop, "/api/board")
    [card] = [card for card in board["cards"] if card["id"] == invoice_id]
    return str(card["stage"])


# -- the hand-worked flow ---------------------------------------------------------------------


async def test_partial_payment_the_rest_then_an_overpayment(shop: Shop) -> None:
    invoice_id = await _issued(shop)
    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert listing["status"] == "issued" and listing["items"] == []
    assert _amounts(listing["balance"]) == (DUE, "0.00", "0.00", "0.00", DUE, "0.00")

    first = _ok(await _pay(shop, invoice_id, "100", reference="VIR 2026-12 ACME"))
    assert (first["kind"], first["amount"], first["currency"]) == ("payment", "100.00", "EUR")
    assert (first["method"], first["date"]) == ("transfer", "2026-12-01")
    assert first["reference"] == "VIR 2026-12 ACME" and first["credit_note_id"] is None
    assert first["recorded_by"] == shop.accounts["cora"].user_id
    # 139.50 - 100.00 = 39.50 outstanding
    assert first["invoice"]["status"] == "partially_paid"
    assert _amounts(first["invoice"]) == (DUE, "0.00", "100.00", "0.00", "39.50", "0.00")

    async def moved(stage: str) -> bool:
        return await _card_stage(shop, invoice_id) == stage

    await wait_for(lambda: moved("partially_paid"), what="the card in partially_paid")

    second = _ok(await _pay(shop, invoice_id, "39.50", who="adam", method="card"))
    assert second["invoice"]["status"] == "paid"
    assert _amounts(second["invoice"]) == (DUE, "0.00", DUE, "0.00", "0.00", "0.00")
    await wait_for(lambda: moved("paid"), what="the card in paid")

    # A payment on a paid invoice is accepted: the customer paid 10.00 too much.
    third = _ok(await _pay(shop, invoice_id, "10.00", method="cheque", date="2026-11-30"))
    assert third["invoice"]["status"] == "paid"
    assert _amounts(third["invoice"]) == (DUE, "0.00", "149.50", "0.00", "0.00", "10.00")

    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert listing["status"] == "paid"
    assert _amounts(listing["balance"]) == (DUE, "0.00", "149.50", "0.00", "0.00", "10.00")
    # By date: the cheque of 30 November first.
    assert [(i["amount"], i["date"]) for i in listing["items"]] == [
        ("10.00", "2026-11-30"),
        ("100.00", "2026-12-01"),
        ("39.50", "2026-12-01"),
    ]
    workflow = await _get(shop, f"/api/invoices/{invoice_id}/workflow")
    assert workflow["status"] == "paid"

    # Audited, and the organization's chain still verifies.
    audit = await _get(shop, f"/api/orgs/{shop.org}/audit?limit=100", who="adam")
    recorded = [e for e in audit["items"] if e["event"] == "invoice.payment_recorded"]
    assert len(recorded) == 3
    assert all(e["target"] == f"invoice {invoice_id}" for e in recorded)
    details = sorted(e["detail"] for e in recorded)
    assert any("100.00 EUR by transfer" in d and "issued -> partially_paid" in d for d in details)
    assert any("39.50 EUR by card" in d and "partially_paid -> paid" in d for d in details)
    verdict = await _get(shop, f"/api/orgs/{shop.org}/audit/verify", who="adam")
    assert verdict["ok"] is True and verdict["entries"] >= 3, verdict


async def test_a_refund_pays_back_a_credit_note(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    invoice_id = await _issued(shop)
    assert _ok(await _pay(shop, invoice_id, DUE))["invoice"]["status"] == "paid"
    async with api(shop.server, shop.bearers["cora"]) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/credit-notes", json={"lines": ["b"]})
    assert r.status_code == 201, r.text
    note = r.json()["id"]
    # A refund names an issued credit note of this invoice.
    _refused(await _pay(shop, invoice_id, "27.50", kind="refund"), 400)
    _refused(await _pay(shop, invoice_id, "1.00", credit_note_id=note), 400)
    refund = {"kind": "refund", "credit_note_id": note}
    _refused(await _pay(shop, invoice_id, "27.50", **refund), 409, "credit_note_not_issued")
    await _through(shop, note)
    _refused(await _pay(shop, note, "1.00"), 409, "not_an_invoice")
    assert (await _get(shop, f"/api/invoices/{note}/payments"))["balance"] is None
    # Credited 27.50: 139.50 - 27.50 = 112.00 is due, 27.50 was paid too much.
    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert _amounts(listing["balance"]) == ("112.00", "27.50", DUE, "0.00", "0.00", "27.50")
    other = await _issued(shop)
    _refused(await _pay(shop, other, "1.00", **refund), 400, "unknown_credit_note")
    _refused(await _pay(shop, invoice_id, "139.51", **refund), 409, "exceeds_paid")
    made = _ok(await _pay(shop, invoice_id, "27.50", **refund))
    assert (made["kind"], made["credit_note_id"], made["amount"]) == ("refund", note, "27.50")
    assert made["invoice"]["status"] == "paid"
    assert _amounts(made["invoice"]) == ("112.00", "27.50", "112.00", "27.50", "0.00", "0.00")
    # Refunding more than is due leaves part of it owed again.
    again = _ok(await _pay(shop, invoice_id, "12.00", **refund))
    assert again["invoice"]["status"] == "partially_paid"
    assert _amounts(again["invoice"]) == ("112.00", "27.50", "100.00", "39.50", "12.00", "0.00")
    audit = await _get(shop, f"/api/orgs/{shop.org}/audit?limit=100", who="adam")
    assert sum(e["event"] == "invoice.refund_recorded" for e in audit["items"]) == 2
    verdict = await _get(shop, f"/api/orgs/{shop.org}/audit/verify", who="adam")
    assert verdict["ok"] is True


# -- concurrency ------------------------------------------------------------------------------


async def test_concurrent_recordings_all_count(shop: Shop) -> None:
    """Eight payments sent at once: 7 x 17.45 + 17.35 = 139.50 exactly, so each must see the
    ones committed before it, and only the last to commit finds the invoice paid."""
    invoice_id = await _issued(shop)
    amounts = ["17.45"] * 7 + ["17.35"]
    clients = [api(shop.server, shop.bearers["cora" if n % 2 else "adam"]) for n in range(8)]
    body = {"date": "2026-12-01", "method": "transfer"}
    try:
        answers = await asyncio.gather(
            *(
                http.post(f"/api/invoices/{invoice_id}/payments", json={**body, "amount": amount})
                for http, amount in zip(clients, amounts, strict=True)
            )
        )
    finally:
        for http in clients:
            await http.aclose()
    assert [r.status_code for r in answers] == [201] * 8, [r.text for r in answers]
    statuses = sorted(r.json()["invoice"]["status"] for r in answers)
    assert statuses == ["paid"] + ["partially_paid"] * 7
    # Each saw the ones before it: the paid totals are eight different steps.
    paid = sorted(Decimal(r.json()["invoice"]["paid"]) for r in answers)
    assert len(set(paid)) == 8 and paid[-1] == Decimal(DUE)
    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert listing["status"] == "paid" and len(listing["items"]) == 8
    assert _amounts(listing["balance"]) == (DUE, "0.00", DUE, "0.00", "0.00", "0.00")
    verdict = await _get(shop, f"/api/orgs/{shop.org}/audit/verify", who="adam")
    assert verdict["ok"] is True
