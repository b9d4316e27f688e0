"""The receivables through the real server on SQLite (the shop and the invoice helpers of
tests/test_payments_api.py): what each customer still owes on its issued invoices and how much
of it is overdue, customers told apart by their VAT id or else their name, a customer paid up
and a draft left out; another organization sees only its own.
"""

from __future__ import annotations

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.test_payments_api import Shop, _draft, _get, _issued, _ok, _pay, _seed
from tests.test_payments_api import sqlite_shop as sqlite_shop


async def test_receivables_per_customer(sqlite_shop: Shop) -> None:
    """Three customers (gross 162.00 each: 3 x 45.00 + 20 % VAT, no prepaid):
    - Alpha SA: one invoice paid 62.00 (100.00 left, not due before 2099), one overdue unpaid
      (162.00): outstanding 262.00, overdue 162.00;
    - Beta SARL (by VAT id, two spellings of its name): two invoices, 162.00 + 162.00 - 24.00
      = 300.00, none overdue;
    - Gamma: paid in full, so not listed; a draft counts for nothing."""
    shop = sqlite_shop
    one = (("a", "3", "45.00", "20"),)
    alpha = await _issued(shop, customer="Alpha SA", prepaid=None, lines=one)
    late = await _issued(
        shop,
        customer="Alpha SA",
        prepaid=None,
        lines=one,
        issue_date="2026-09-01",
        due_date="2026-10-01",
    )
    beta = [
        await _issued(shop, customer=name, vat_id="FR40303265045", prepaid=None, lines=one)
        for name in ("Beta SARL", "BETA sarl")
    ]
    gamma = await _issued(shop, customer="Gamma", prepaid=None, lines=one)
    await _draft(shop, customer="Delta", prepaid=None, lines=one)
    _ok(await _pay(shop, alpha, "62.00"))
    _ok(await _pay(shop, beta[1], "24.00"))
    _ok(await _pay(shop, gamma, "162.00"))
    found = await _get(shop, "/api/receivables")
    assert found["org_id"] == shop.org
    rows = [
        (r["customer"], r["vat_id"], r["currency"], r["outstanding"], r["overdue"])
        for r in found["customers"]
    ]
    assert rows == [
        ("Beta SARL", "FR40303265045", "EUR", "300.00", "0.00"),
        ("Alpha SA", None, "EUR", "262.00", "162.00"),
    ]
    counts = [(r["invoices"], r["overdue_invoices"]) for r in found["customers"]]
    assert counts == [(2, 0), (2, 1)]
    assert late  # the overdue one is Alpha's second
    # Another organization sees its own (nothing), and a viewer may read it.
    stranger = await _seed(shop.url, "Other SA", {"oscar": Role.VIEWER})
    bearer = await token(shop.server, stranger["oscar"])
    async with api(shop.server, bearer) as http:
        r = await http.get("/api/receivables")
        assert r.status_code == 200 and r.json()["customers"] == [], r.text
        r = await http.get("/api/receivables", params={"org": shop.org})
        assert r.status_code == 404, r.text
