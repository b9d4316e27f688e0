"""A set of varied invoice documents for the EN 16931 tests: every VAT category the engine
handles, line and document discounts, a negative line, JPY, and a credit note; explicit
allowances and charges (the `adjustments` root) on the document and on lines.

Identifiers are real check-digit-valid numbers (tests check them with python-stdnum)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.test_organization_profile import PROFILE

SELLER: dict[str, Any] = {
    **PROFILE,
    "address": {**PROFILE["address"], "line2": ""},
    "currency": "EUR",
    "payment_terms": "30 days net",
    "payment_days": 30,
}
BUYER_SIREN = "552100554"
BUYER_VAT = "FR96552100554"  # FR + (12 + 3 x (SIREN mod 97)) mod 97 + SIREN
GERMAN_VAT = "DE136695976"
ISSUED = date(2026, 3, 2)

FRENCH_BUYER: dict[str, Any] = {
    "name": "Client SA",
    "email": "ap@client.example",
    "address": {"line1": "1 avenue Foch", "postcode": "69006", "city": "Lyon", "country": "FR"},
    "vat_id": BUYER_VAT,
    "siren": BUYER_SIREN,
}
GERMAN_BUYER: dict[str, Any] = {
    "name": "Kunde GmbH",
    "address": {"line1": "Hauptstr. 5", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "vat_id": GERMAN_VAT,
}
AMERICAN_BUYER: dict[str, Any] = {
    "name": "Customer Inc.",
    "address": {"line1": "1 Main St", "postcode": "10001", "city": "New York", "country": "US"},
}


def line(
    line_id: str,
    quantity: str,
    unit_price: str,
    tax_rate: str,
    category: str = "S",
    *,
    discount: dict[str, str] | None = None,
    unit: str = "C62",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": line_id,
        "description": f"Item {line_id}",
        "quantity": quantity,
        "unit": unit,
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "tax_category": category,
    }
    if discount is not None:
        row["discount"] = discount
    return row


def adjustment(
    row_id: str,
    *,
    charge: bool = False,
    on: str = "",
    amount: str = "",
    percent: str = "",
    category: str = "",
    rate: str = "",
    reason: str = "",
    code: str = "",
) -> dict[str, Any]:
    """One `adjustments` row: document level unless `on` names a line."""
    row = {
        "id": row_id,
        "line": on,
        "type": "charge" if charge else "allowance",
        "amount": amount,
        "percent": percent,
        "reason": reason,
        "reason_code": code,
    }
    if not on:
        row |= {"tax_category": category, "tax_rate": rate}
    return row


def document(
    lines: list[dict[str, Any]],
    *,
    customer: dict[str, Any] | None = None,
    adjustments: list[dict[str, Any]] | None = None,
    **header: Any,
) -> dict[str, Any]:
    invoice = {
        "customer": customer or FRENCH_BUYER,
        "currency": "EUR",
        "due_date": "2026-04-01",
        "buyer_reference": "PO-4711",
        "notes": "Thank you for your business.",
        **header,
    }
    found: dict[str, Any] = {"invoice": invoice, "lines": lines}
    if adjustments is not None:
        found["adjustments"] = adjustments
    return found


@dataclass(frozen=True)
class Case:
    document: dict[str, Any]
    type_code: str = "380"
    preceding: tuple[str, date] | None = None
    seller: dict[str, Any] = field(default_factory=lambda: SELLER)


CASES: dict[str, Case] = {
    "standard_20": Case(document([line("a", "3", "45.00", "20"), line("b", "2", "12.50", "20")])),
    "rates_20_10_5_5": Case(
        document(
            [
                line("a", "1", "100.00", "20"),
                line("b", "4", "12.345", "10"),
                line("c", "3", "9.99", "5.5"),
            ]
        )
    ),
    "zero_rated_with_standard": Case(
        document([line("a", "10", "5.00", "0", "Z"), line("b", "1", "100.00", "20")])
    ),
    "exempt": Case(document([line("a", "1", "500.00", "0", "E")])),
    "reverse_charge": Case(document([line("a", "2", "750.00", "0", "AE")])),
    "intra_community": Case(document([line("a", "1", "1200.00", "0", "K")], customer=GERMAN_BUYER)),
    "export": Case(document([line("a", "5", "40.00", "0", "G")], customer=AMERICAN_BUYER)),
    "outside_scope": Case(document([line("a", "1", "80.00", "0", "O")])),
    "line_discounts": Case(
        document(
            [
                line("a", "3", "45.00", "21", discount={"kind": "amount", "value": "60.00"}),
                line("b", "4", "25.00", "21", discount={"kind": "percent", "value": "10"}),
            ]
        )
    ),
    "document_percent_discount": Case(
        document(
            [line("a", "2", "100.00", "20"), line("b", "1", "100.00", "10")],
            discount={"kind": "percent", "value": "10"},
        )
    ),
    "document_amount_discount": Case(
        document(
            [line("a", "1", "100.00", "20"), line("b", "2", "25.00", "20")],
            discount={"kind": "amount", "value": "15.50"},
        )
    ),
    "negative_line": Case(
        document([line("a", "5", "80.00", "20"), line("b", "-1", "50.00", "20")])
    ),
    "yen": Case(
        document([line("a", "3", "1500", "10"), line("b", "7", "333", "8")], currency="JPY")
    ),
    "credit_note": Case(
        document([line("a", "1", "45.00", "20")]),
        type_code="381",
        preceding=("F2026-000001", date(2026, 2, 1)),
    ),
    # Worked by hand (EN 16931 BR-CO-10..17): a 2 x 100.00 = 200.00 at 20 %, b 50.00 at 10 %;
    # BT-106 250.00. Allowances: 10.00 on S 20 %; 10 % of the S 10 % group's nets 50.00 = 5.00.
    # BT-107 15.00, BT-109 235.00. S 20: base 190.00, VAT 38.00; S 10: base 45.00, VAT 4.50.
    # BT-110 42.50, BT-112 277.50.
    "document_allowances_two_rates": Case(
        document(
            [line("a", "2", "100.00", "20"), line("b", "1", "50.00", "10")],
            adjustments=[
                adjustment("d1", amount="10.00", category="S", rate="20", reason="Loyalty"),
                adjustment("d2", percent="10", category="S", rate="10", code="64"),
            ],
        )
    ),
    # a 3 x 40.00 = 120.00 at 20 %; shipping charge 15.00 at 20 % (FC: freight).
    # BT-106 120.00, BT-108 15.00, BT-109 135.00; VAT 20 % of 135.00 = 27.00; BT-112 162.00.
    "document_charge_shipping": Case(
        document(
            [line("a", "3", "40.00", "20")],
            adjustments=[
                adjustment(
                    "ship",
                    charge=True,
                    amount="15.00",
                    category="S",
                    rate="20",
                    reason="Shipping",
                    code="FC",
                ),
            ],
        )
    ),
    # a 2 x 150.00 = 300.00 at 20 %; a handling charge of 25.00 exempt (E, 0 %): a VAT group
    # made of the charge alone, with the default exemption wording.
    # BT-106 300.00, BT-108 25.00, BT-109 325.00; S 20: base 300.00, VAT 60.00; E: 25.00, 0.00.
    # BT-110 60.00, BT-112 385.00.
    "exempt_charge": Case(
        document(
            [line("a", "2", "150.00", "20")],
            adjustments=[
                adjustment(
                    "h", charge=True, amount="25.00", category="E", rate="0", reason="Handling"
                ),
            ],
        )
    ),
    # a 80.00 outside the scope of VAT; delivery charge 10.00 also O, with no rate.
    # BT-106 80.00, BT-108 10.00, BT-109 90.00, no VAT; BT-112 90.00.
    "outside_scope_charge": Case(
        document(
            [line("a", "1", "80.00", "0", "O")],
            adjustments=[
                adjustment("dl", charge=True, amount="10.00", category="O", code="DL"),
            ],
        )
    ),
    # a 4 x 25.00 = 100.00: allowance 10 % of 100.00 = 10.00, allowance 5.00, charge 7.50:
    # BT-131 = 100.00 - 10.00 - 5.00 + 7.50 = 92.50.
    # b 2 x 10.00 = 20.00: discount 10 % = 2.00, charge 5 % of 20.00 = 1.00: BT-131 19.00.
    # BT-106 111.50 = BT-109; VAT 20 % of 111.50 = 22.30; BT-112 133.80.
    "line_allowances_and_charge": Case(
        document(
            [
                line("a", "4", "25.00", "20"),
                line("b", "2", "10.00", "20", discount={"kind": "percent", "value": "10"}),
            ],
            adjustments=[
                adjustment("la1", on="a", percent="10", reason="Volume rebate", code="95"),
                adjustment("la2", on="a", amount="5.00", reason="Damaged box"),
                adjustment("lc1", on="a", charge=True, amount="7.50", reason="Packing", code="ABL"),
                adjustment("lc2", on="b", charge=True, percent="5", reason="Insurance"),
            ],
        )
    ),
    # JPY, no minor units: a 3 x 1500 = 4500 at 10 %; shipping charge 500 at 10 %.
    # BT-106 4500, BT-108 500, BT-109 5000; VAT 10 % = 500; BT-112 5500.
    "yen_charge": Case(
        document(
            [line("a", "3", "1500", "10")],
            currency="JPY",
            adjustments=[
                adjustment(
                    "s", charge=True, amount="500", category="S", rate="10", reason="Shipping"
                ),
            ],
        )
    ),
    # A credit note: a 2 x 45.00 = 90.00 at 20 %; allowance 9.00 at 20 % (goodwill).
    # BT-106 90.00, BT-107 9.00, BT-109 81.00; VAT 16.20; BT-112 97.20.
    "credit_note_allowance": Case(
        document(
            [line("a", "2", "45.00", "20")],
            adjustments=[
                adjustment("g", amount="9.00", category="S", rate="20", reason="Goodwill"),
            ],
        ),
        type_code="381",
        preceding=("F2026-000001", date(2026, 2, 1)),
    ),
    # The header discount beside rows: a 100.00 at 20 %, b 100.00 at 10 %; BT-106 200.00.
    # 10 % header discount = 20.00, split on the line nets: 10.00 per group. Row allowance 5.00
    # at 20 %, row charge 8.00 at 10 %. BT-107 25.00, BT-108 8.00, BT-109 183.00.
    # S 20: 100.00 - 10.00 - 5.00 = 85.00, VAT 17.00; S 10: 100.00 - 10.00 + 8.00 = 98.00,
    # VAT 9.80. BT-110 26.80, BT-112 209.80.
    "discount_with_rows": Case(
        document(
            [line("a", "1", "100.00", "20"), line("b", "1", "100.00", "10")],
            discount={"kind": "percent", "value": "10"},
            adjustments=[
                adjustment("x", amount="5.00", category="S", rate="20", reason="Promotion"),
                adjustment("y", charge=True, amount="8.00", category="S", rate="10", code="FC"),
            ],
        )
    ),
}
