"""What recording a payment refuses, and which amounts it takes, through the real server on
SQLite (the shop and the invoice of tests/test_payments_api.py, 139.50 EUR due): only an
accountant or an admin records, and only on an issued invoice of their organization (another
organization's is the same 404 as an unknown one); a cancelled invoice takes refunds only; an
unusable amount is a 422 naming its reason, the wrong JSON type a 400; the minor units follow
the invoice's currency; an accepted amount comes back exactly as it was typed.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.test_payments_api import (
    DUE,
    Shop,
    _amounts,
    _draft,
    _get,
    _issued,
    _move,
    _ok,
    _pay,
    _refused,
    _seed,
    _through,
)
from tests.test_payments_api import sqlite_shop as sqlite_shop


async def test_who_may_record_and_where(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    draft = await _draft(shop)
    for who in ("alice", "abe", "vera"):  # editor, approver, viewer: no payment.manage
        _refused(await _pay(shop, draft, "10.00", who=who), 403)
    _refused(await _pay(shop, draft, "10.00"), 409, "not_issued")
    assert (await _get(shop, f"/api/invoices/{draft}/payments"))["balance"] is None
    await _move(shop, "alice", draft, "submit")
    _refused(await _pay(shop, draft, "10.00"), 409, "not_issued")
    await _move(shop, "abe", draft, "approve")
    _refused(await _pay(shop, draft, "10.00"), 409, "not_issued")
    await _move(shop, "abe", draft, "issue")
    for who in ("alice", "abe", "vera"):
        _refused(await _pay(shop, draft, "10.00", who=who), 403)
    assert _ok(await _pay(shop, draft, "10.00", who="cora"))["invoice"]["status"] == (
        "partially_paid"
    )
    # Another organization's accountant: the same 404 as an unknown invoice.
    stranger = await _seed(shop.url, "Other SA", {"oscar": Role.ACCOUNTANT})
    bearer = await token(shop.server, stranger["oscar"])
    async with api(shop.server, bearer) as http:
        body = {"amount": "10.00", "date": "2026-12-01", "method": "cash"}
        for invoice_id in (draft, str(uuid.uuid4()), "not-an-id"):
            r = await http.post(f"/api/invoices/{invoice_id}/payments", json=body)
            assert r.status_code == 404 and r.json() == {"error": "no such invoice"}, r.text
            r = await http.get(f"/api/invoices/{invoice_id}/payments")
            assert r.status_code == 404 and r.json() == {"error": "no such invoice"}, r.text
    listing = await _get(shop, f"/api/invoices/{draft}/payments")
    assert [i["amount"] for i in listing["items"]] == ["10.00"]


async def test_a_cancelled_invoice_takes_refunds_only(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    invoice_id = await _issued(shop, prepaid=None)  # gross 189.50, all of it due
    _ok(await _pay(shop, invoice_id, "189.50"))
    async with api(shop.server, shop.bearers["cora"]) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/credit-notes", json={})
    note = r.json()["id"]
    await _through(shop, note)
    assert (await _get(shop, f"/api/invoices/{invoice_id}/workflow"))["status"] == "cancelled"
    _refused(await _pay(shop, invoice_id, "1.00"), 409, "not_issued")
    made = _ok(await _pay(shop, invoice_id, "189.50", kind="refund", credit_note_id=note))
    assert made["invoice"]["status"] == "cancelled"
    assert _amounts(made["invoice"]) == ("0.00", "189.50", "0.00", "189.50", "0.00", "0.00")


BAD_AMOUNTS = {
    "0": "not_positive",
    "0.00": "not_positive",
    "-5.00": "not_positive",
    "-0.01": "not_positive",
    "1.234": "too_precise",
    "0.001": "too_precise",
    "abc": "syntax",
    "": "empty",
    "12,50": "separator",
    "1e3": "exponent",
    "NaN": "not_finite",
    "Infinity": "not_finite",
    " 5.00": "whitespace",
    "+5": "plus_sign",
    "5.": "incomplete",
    "9" * 41: "too_long",
    "1" + "0" * 15: "too_large",
    "١٢": "syntax",  # Arabic-Indic digits: Decimal would read them
}


async def test_unusable_amounts_are_422_with_a_reason(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    invoice_id = await _issued(shop)
    for amount, code in BAD_AMOUNTS.items():
        body = _refused(await _pay(shop, invoice_id, amount), 422, code)
        assert "amount" in body["error"], body
    # The wrong JSON type is malformed, as for every field: 400.
    wrong: tuple[object, ...] = (12.5, 12, None, ["1"], {"v": "1"})
    for value in wrong:
        body = _refused(await _pay(shop, invoice_id, value), 400)
        assert "amount" in body["error"], body
    for extra in (
        {"method": "bitcoin"},
        {"date": "2026-13-01"},
        {"date": "yesterday"},
        {"reference": "x" * 141},
        {"kind": "gift"},
        {"tip": "1.00"},
    ):
        _refused(await _pay(shop, invoice_id, "1.00", **extra), 400)
    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert listing["items"] == [] and listing["status"] == "issued"


async def test_minor_units_follow_the_invoice_currency(sqlite_shop: Shop) -> None:
    """A JPY invoice takes whole yen: 3 x 45 = 135 at 20 %, VAT 27, gross and due 162. (Three
    decimals, KWD, cannot be issued: EN 16931 amounts have at most two, UBL-DT-01; the rule is
    the same function, tests/test_payments.py checks it.)"""
    shop = sqlite_shop
    invoice_id = await _issued(shop, currency="JPY", prepaid=None, lines=(("a", "3", "45", "20"),))
    _refused(await _pay(shop, invoice_id, "100.5"), 422, "too_precise")
    _refused(await _pay(shop, invoice_id, "0.50"), 422, "too_precise")
    made = _ok(await _pay(shop, invoice_id, "100.00"))  # zeros are not precision
    assert (made["amount"], made["currency"]) == ("100", "JPY")
    assert _amounts(made["invoice"]) == ("162", "0", "100", "0", "62", "0")


async def test_accepted_amounts_come_back_exactly(sqlite_shop: Shop) -> None:
    """What was typed is what is stored and answered, to the cent, with the currency's
    decimals written out (tests/test_payments.py has the property over every amount)."""
    shop = sqlite_shop
    invoice_id = await _issued(shop)
    typed = ["0.01", "1", "1.5", "00012.30", "139.49", "999999999999999.99", "42.10"]
    answered = [_ok(await _pay(shop, invoice_id, amount))["amount"] for amount in typed]
    assert [Decimal(a) for a in answered] == [Decimal(t) for t in typed]
    assert all(len(a.partition(".")[2]) == 2 for a in answered)
    listing = await _get(shop, f"/api/invoices/{invoice_id}/payments")
    assert sorted(i["amount"] for i in listing["items"]) == sorted(answered)
    total = sum(map(Decimal, typed), Decimal(0))
    assert Decimal(listing["balance"]["paid"]) == total
    assert Decimal(listing["balance"]["overpaid"]) == total - Decimal(DUE)
