"""A set of varied invoice documents for the EN 16931 tests: every VAT category the engine
handles, line and document discounts, a negative line, JPY, and a credit note.

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


def document(
    lines: list[dict[str, Any]], *, customer: dict[str, Any] | None = None, **header: Any
) -> dict[str, Any]:
    invoice = {
        "customer": customer or FRENCH_BUYER,
        "currency": "EUR",
        "due_date": "2026-04-01",
        "buyer_reference": "PO-4711",
        "notes": "Thank you for your business.",
        **header,
    }
    return {"invoice": invoice, "lines": lines}


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
}
