"""Paid amount (BT-113) and rounding amount (BT-114): the engine, validation, the XML, the PDF
and import. Expected figures are worked by hand in the comments from EN 16931:
  BR-CO-15 BT-112 = BT-109 + BT-110;  BR-CO-16 BT-115 = BT-112 - BT-113 + BT-114
The rounding bound is Cofacture's (|BT-114| < 1 unit of the currency: money.MAX_ROUNDING);
the standard only limits it to two decimals (BR-DEC-17)."""

from __future__ import annotations

from typing import Any

import pytest

from collab.invoice.en16931 import to_cii, to_semantic, to_ubl
from collab.invoice.en16931.parse import parse_invoice
from collab.invoice.money import InvoiceInput, MoneyError, compute_totals
from collab.invoice.validation import evaluate
from server.exports.validation import check_cii, check_ubl
from server.exports.view import Branding, context
from tests.invoices_en16931 import ISSUED, SELLER, document, line
from tests.money_helpers import D
from tests.money_helpers import line as money_line


def test_the_amount_due_is_gross_minus_paid_plus_rounding() -> None:
    # 3 x 33.33 = 99.99 at 20 % -> VAT 19.998 -> 20.00; BT-112 = 119.99
    # BT-115 = 119.99 - 50.00 + 0.01 = 70.00
    totals = compute_totals(
        InvoiceInput((money_line("3", "33.33", "20"),), prepaid=D("50.00"), rounding=D("0.01"))
    )
    assert (totals.gross, totals.prepaid, totals.rounding, totals.due) == (
        D("119.99"),
        D("50.00"),
        D("0.01"),
        D("70.00"),
    )
    assert totals.to_json()["rounding"] == "0.01"


def test_a_negative_rounding_rounds_down_to_a_coin() -> None:
    # CHF: 1 x 99.75 at 8.1 % -> VAT 8.07975 -> 8.08; BT-112 = 107.83
    # to the 0.05 coin below: 107.80, so BT-114 = -0.03 and BT-115 = 107.83 - 0 - 0.03 = 107.80
    totals = compute_totals(
        InvoiceInput((money_line("1", "99.75", "8.1"),), currency="CHF", rounding=D("-0.03"))
    )
    assert (totals.gross, totals.due) == (D("107.83"), D("107.80"))


def test_without_them_the_amount_due_is_the_gross_total() -> None:
    totals = compute_totals(InvoiceInput((money_line("1", "10.00", "20"),)))
    # 10.00 + 2.00 = 12.00, nothing paid, no rounding
    assert (totals.prepaid, totals.rounding, totals.due) == (D("0.00"), D("0.00"), D("12.00"))


@pytest.mark.parametrize(
    ("currency", "field", "value", "code"),
    [
        ("EUR", "rounding", "1.00", "out_of_range"),
        ("EUR", "rounding", "-1", "out_of_range"),
        ("EUR", "rounding", "0.001", "too_precise"),
        ("JPY", "rounding", "0.5", "too_precise"),
        ("EUR", "prepaid", "-0.01", "negative"),
        ("KWD", "prepaid", "1.0001", "too_precise"),
    ],
)
def test_the_engine_refuses(currency: str, field: str, value: str, code: str) -> None:
    with pytest.raises(MoneyError) as refused:
        if field == "prepaid":
            InvoiceInput((), currency=currency, prepaid=D(value))
        else:
            InvoiceInput((), currency=currency, rounding=D(value))
    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_bounds_themselves_are_accepted() -> None:
    # 0.99 either way is a rounding; KWD has three decimals
    assert InvoiceInput((), rounding=D("-0.99")).rounding == D("-0.99")
    assert InvoiceInput((), currency="KWD", rounding=D("0.999")).rounding == D("0.999")


def _draft(**header: Any) -> dict[str, Any]:
    lines = [{"id": "a", "quantity": "1", "unit_price": "100.00", "tax_rate": "20"}]
    return {"invoice": {"currency": "EUR", **header}, "lines": lines}


@pytest.mark.parametrize(
    ("header", "path", "code", "due"),
    [
        # 100.00 + 20.00 = 120.00; what is refused is left out of the amount due
        ({"prepaid": "12."}, "invoice.prepaid", "incomplete", "120.00"),
        ({"prepaid": "-5"}, "invoice.prepaid", "negative", "120.00"),
        ({"prepaid": "1,5"}, "invoice.prepaid", "separator", "120.00"),
        ({"rounding": "2", "prepaid": "20"}, "invoice.rounding", "out_of_range", "100.00"),
        ({"rounding": "0.005"}, "invoice.rounding", "too_precise", "120.00"),
    ],
)
def test_validation_reports_them_on_their_field(
    header: dict[str, str], path: str, code: str, due: str
) -> None:
    result = evaluate(_draft(**header))
    assert [(i.path, i.code) for i in result.issues] == [(path, code)]
    assert result.totals is not None and result.totals["due"] == due


def test_validation_counts_valid_ones() -> None:
    # 120.00 - 100.00 + (-0.50) = 19.50
    result = evaluate(_draft(prepaid="100", rounding="-0.50"))
    assert result.issues == [] and result.totals is not None
    assert (result.totals["prepaid"], result.totals["rounding"]) == ("100.00", "-0.50")
    assert result.totals["due"] == "19.50"


SETTLED = document(
    [line("a", "3", "33.33", "20"), line("b", "1", "10.00", "5.5")],
    prepaid="60.00",
    rounding="-0.04",
)
# a: 99.99 at 20 % -> 20.00; b: 10.00 at 5.5 % -> 0.55; BT-112 = 109.99 + 20.55 = 130.54
# BT-115 = 130.54 - 60.00 - 0.04 = 70.50


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_the_xml_states_them_and_passes_the_schematron(syntax: str) -> None:
    semantic = to_semantic(SETTLED, number="F2026-000009", issue_date=ISSUED, seller=SELLER)
    assert (semantic.totals.prepaid, semantic.totals.rounding) == (D("60.00"), D("-0.04"))
    assert semantic.totals.payable == D("70.50")
    xml = (to_cii if syntax == "cii" else to_ubl)(semantic)
    report = await (check_cii(xml) if syntax == "cii" else check_ubl(xml))
    assert report.ok, [(f.rule, f.message) for f in report.fatal]
    text = xml.decode()
    if syntax == "cii":
        assert "<ram:RoundingAmount>-0.04</ram:RoundingAmount>" in text
        assert "<ram:TotalPrepaidAmount>60.00</ram:TotalPrepaidAmount>" in text
        assert "<ram:DuePayableAmount>70.50</ram:DuePayableAmount>" in text
    else:
        assert 'PayableRoundingAmount currencyID="EUR">-0.04<' in text
        assert 'PrepaidAmount currencyID="EUR">60.00<' in text
        assert 'PayableAmount currencyID="EUR">70.50<' in text

    imported = parse_invoice(xml)
    header = imported.document["invoice"]
    assert (header["prepaid"], header["rounding"]) == ("60", "-0.04")
    assert not [w for w in imported.warnings if w.startswith(("BT-113", "BT-114", "BT-115"))]
    assert evaluate(imported.document).totals == evaluate(SETTLED).totals


def test_the_pdf_shows_paid_rounding_and_amount_due() -> None:
    semantic = to_semantic(SETTLED, number="F2026-000009", issue_date=ISSUED, seller=SELLER)
    shown = context(semantic, seller=SELLER, lang="en", draft=False, branding=Branding())
    assert shown["totals"][-2:] == [("Already paid", "-60.00\xa0EUR"), ("Rounding", "-0.04\xa0EUR")]
    assert shown["due"] == ("Amount due", "70.50\xa0EUR")


def test_an_unusable_rounding_is_not_imported_and_said() -> None:
    xml = to_ubl(to_semantic(SETTLED, number="F1", issue_date=ISSUED, seller=SELLER))
    edited = xml.replace(b">-0.04<", b">-1.04<")
    imported = parse_invoice(edited)
    assert "rounding" not in imported.document["invoice"]
    assert any(w.startswith("BT-114 rounding amount -1.04 not kept") for w in imported.warnings)
