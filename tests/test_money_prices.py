"""Item price details (BG-29): BT-146 net price = BT-148 gross price - BT-147 price discount,
and BT-131 = quantity x net price / BT-149 base quantity, rounded half-up to the currency's
minor units. Every figure is worked by hand in the comment beside it."""

from __future__ import annotations

from typing import Any

import pytest

from collab.invoice.en16931 import to_cii, to_semantic, to_ubl
from collab.invoice.en16931.parse import parse_invoice
from collab.invoice.money import InvoiceInput, Line, MoneyError, compute_totals
from collab.invoice.validation import evaluate
from server.exports.validation import check_cii, check_ubl
from tests.invoices_en16931 import ISSUED, SELLER, document
from tests.money_helpers import D


def _net(quantity: str, price: str, base: str) -> str:
    line = Line(D(quantity), D(price), D("20"), base_quantity=D(base))
    return str(compute_totals(InvoiceInput((line,))).lines[0].net)


@pytest.mark.parametrize(
    ("quantity", "price", "base", "net"),
    [
        ("250", "10.00", "100", "25.00"),  # 250 x 10.00 / 100 = 25.00
        ("7", "1.00", "3", "2.33"),  # 7 / 3 = 2.333... -> 2.33
        ("8", "1.00", "3", "2.67"),  # 8 / 3 = 2.666... -> 2.67
        ("1", "0.05", "2", "0.03"),  # 0.025 -> 0.03 (half-up)
        ("-1", "0.05", "2", "-0.03"),  # -0.025 -> -0.03 (ties away from zero)
        ("3", "45.00", "1", "135.00"),  # base 1: 3 x 45.00
        ("1.5", "2.5", "0.5", "7.50"),  # 1.5 x 2.5 / 0.5 = 7.50
    ],
)
def test_the_line_net_is_per_base_quantity(quantity: str, price: str, base: str, net: str) -> None:
    assert _net(quantity, price, base) == net


@pytest.mark.parametrize(
    ("base", "code"), [("0", "out_of_range"), ("-1", "out_of_range"), ("0.00001", "too_precise")]
)
def test_a_base_quantity_is_positive(base: str, code: str) -> None:
    with pytest.raises(MoneyError) as refused:
        Line(D("1"), D("1"), D("20"), base_quantity=D(base))
    assert (refused.value.code, refused.value.field) == (code, "base_quantity")


def _row(**fields: str) -> dict[str, Any]:
    return {"id": "a", "quantity": "250", "tax_rate": "20", "unit": "C62", **fields}


def test_a_gross_price_and_discount_give_the_net_price() -> None:
    # BT-146 = 12.50 - 2.50 = 10.00 per 100; BT-131 = 250 x 10.00 / 100 = 25.00; VAT 5.00
    result = evaluate(
        {
            "invoice": {},
            "lines": [_row(gross_price="12.50", price_discount="2.50", base_quantity="100")],
        }
    )
    assert result.issues == [] and result.totals is not None
    assert (result.totals["net"], result.totals["tax"], result.totals["gross"]) == (
        "25.00",
        "5.00",
        "30.00",
    )
    # The same unit price stated as well agrees: no message.
    same = _row(gross_price="12.50", price_discount="2.50", base_quantity="100", unit_price="10")
    assert evaluate({"invoice": {}, "lines": [same]}).issues == []


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        (
            {"gross_price": "12.50", "unit_price": "12.50", "price_discount": "2.50"},
            "unit_price",
            "price_mismatch",
        ),
        ({"gross_price": "-1"}, "gross_price", "negative"),  # BR-28
        ({"gross_price": "10", "price_discount": "-1"}, "price_discount", "negative"),
        (
            {"gross_price": "10", "price_discount": "10.01"},
            "price_discount",
            "discount_exceeds_base",
        ),
        ({"price_discount": "1", "unit_price": "9"}, "gross_price", "required"),
        ({"unit_price": "1", "base_quantity": "0"}, "base_quantity", "out_of_range"),
        ({"gross_price": "1.0000001"}, "gross_price", "too_precise"),
        ({"gross_price": "12."}, "gross_price", "incomplete"),
        ({}, "unit_price", "required"),
    ],
)
def test_validation_reports_price_details(fields: dict[str, str], path: str, code: str) -> None:
    result = evaluate({"invoice": {}, "lines": [_row(**fields)]})
    assert [(i.path, i.code) for i in result.issues] == [(f"lines.a.{path}", code)]
    assert result.counted == () and not result.complete


PRICED = document(
    [
        {
            **_row(gross_price="12.50", price_discount="2.50", base_quantity="100"),
            "description": "Screws",
        },
        {
            "id": "b",
            "description": "Nails",
            "quantity": "3",
            "unit": "KGM",
            "unit_price": "4.20",
            "tax_rate": "20",
            "gross_price": "4.20",
        },
    ]
)
# a: 25.00 (above); b: 3 x 4.20 = 12.60; BT-109 = 37.60; VAT 7.52; BT-112 = 45.12


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_price_details_are_exported_valid_and_come_back(syntax: str) -> None:
    semantic = to_semantic(PRICED, number="F2026-000012", issue_date=ISSUED, seller=SELLER)
    assert [line.net_price for line in semantic.lines] == [D("10.00"), D("4.20")]
    assert semantic.totals.tax_inclusive == D("45.12")
    xml = (to_cii if syntax == "cii" else to_ubl)(semantic)
    report = await (check_cii(xml) if syntax == "cii" else check_ubl(xml))
    assert report.ok, [(f.rule, f.message) for f in report.fatal]
    text = xml.decode()
    if syntax == "cii":
        assert "GrossPriceProductTradePrice" in text and "<ram:ChargeAmount>12.5<" in text
        assert '<ram:BasisQuantity unitCode="C62">100</ram:BasisQuantity>' in text
    else:
        assert '<cbc:BaseQuantity unitCode="C62">100</cbc:BaseQuantity>' in text
        assert '<cbc:BaseAmount currencyID="EUR">12.5</cbc:BaseAmount>' in text
    imported = parse_invoice(xml)
    first, second = imported.document["lines"]
    assert (first["gross_price"], first["price_discount"], first["base_quantity"]) == (
        "12.5",
        "2.5",
        "100",
    )
    assert first["unit_price"] == "10" and second["gross_price"] == "4.2"
    assert not [w for w in imported.warnings if "BT-14" in w], imported.warnings
    assert evaluate(imported.document).totals == evaluate(PRICED).totals
