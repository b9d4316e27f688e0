"""The EN 16931 exports carry what issue 12 added to the engine: the exemption reasons people
type, category O without a rate, and the corrected discounts next to credit lines. Each XML
passes the XSD and the official Schematron; the figures are worked by hand beside them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from tests.invoices_en16931 import AMERICAN_BUYER, Case, document, line
from tests.test_en16931_mapping import CII_NS, UBL_NS, _check, _cii_totals, _explain, _xml


def exempt(line_id: str, category: str, reason: str = "", code: str = "") -> dict[str, Any]:
    row = line(line_id, "1", "100.00", "0", category)
    return {**row, "exemption_reason": reason, "exemption_code": code}


CASES: dict[str, Case] = {
    "stated_exemption": Case(
        document([exempt("a", "E", "Formation professionnelle continue", "VATEX-EU-132-1I")])
    ),
    "two_reasons_one_group": Case(
        document([exempt("a", "E", "Art. 261-4-4 CGI"), exempt("b", "E", "Art. 261-4-1 CGI")])
    ),
    "export_with_its_code": Case(
        document([exempt("a", "G", code="VATEX-EU-G")], customer=AMERICAN_BUYER)
    ),
    "outside_scope_without_rate": Case(
        document([{**line("a", "1", "80.00", "", "O"), "exemption_reason": "Débours"}])
    ),
    "credit_line_in_another_group": Case(
        document(
            [line("a", "1", "100.00", "20"), line("b", "-1", "50.00", "5.5")],
            discount={"kind": "amount", "value": "10.00"},
        )
    ),
    "amount_discount_on_a_credit_line": Case(
        document(
            [
                line("a", "5", "80.00", "20"),
                line("b", "-3", "45.00", "20", discount={"kind": "amount", "value": "60.00"}),
            ]
        )
    ),
}


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_case_passes_the_xsd_and_the_schematron(name: str, syntax: str) -> None:
    report = await _check(syntax, _xml(CASES[name], syntax))
    assert report.fatal == (), _explain(report)


def _cii_exemptions(xml: bytes) -> list[tuple[str | None, str | None, str | None]]:
    settlement = etree.fromstring(xml).find(".//ram:ApplicableHeaderTradeSettlement", CII_NS)
    return [
        (
            tax.findtext("ram:CategoryCode", namespaces=CII_NS),
            tax.findtext("ram:ExemptionReason", namespaces=CII_NS),
            tax.findtext("ram:ExemptionReasonCode", namespaces=CII_NS),
        )
        for tax in settlement.findall("ram:ApplicableTradeTax", CII_NS)
    ]


def test_the_stated_reason_and_code_replace_the_standard_wording() -> None:
    assert _cii_exemptions(_xml(CASES["stated_exemption"], "cii")) == [
        ("E", "Formation professionnelle continue", "VATEX-EU-132-1I")
    ]
    ubl = etree.fromstring(_xml(CASES["stated_exemption"], "ubl"))
    category = ubl.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", UBL_NS)
    assert category.findtext("cbc:TaxExemptionReason", namespaces=UBL_NS) == (
        "Formation professionnelle continue"
    )
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=UBL_NS) == "VATEX-EU-132-1I"


def test_a_breakdown_gathers_the_distinct_reasons_of_its_lines() -> None:
    assert _cii_exemptions(_xml(CASES["two_reasons_one_group"], "cii")) == [
        ("E", "Art. 261-4-4 CGI; Art. 261-4-1 CGI", None)
    ]


def test_a_code_alone_is_stated_alone_and_o_has_no_rate() -> None:
    assert _cii_exemptions(_xml(CASES["export_with_its_code"], "cii")) == [
        ("G", None, "VATEX-EU-G")
    ]
    xml = _xml(CASES["outside_scope_without_rate"], "cii")
    assert _cii_exemptions(xml) == [("O", "Débours", None)]
    assert b"RateApplicablePercent" not in xml  # BR-O-05: no rate anywhere on O


def test_the_credit_line_figures_are_the_hand_worked_ones() -> None:
    # BT-106 = 100.00 - 50.00 = 50.00; the 10.00 allowance on S 20 % only (the credit group
    # keeps its -50.00): BT-116 90.00 -> 18.00 and -50.00 -> -2.75; BT-109 = 40.00,
    # BT-110 = 15.25, BT-112 = 55.25
    totals = _cii_totals(_xml(CASES["credit_line_in_another_group"], "cii"))
    assert totals["BG-23"] == {
        ("S", "20"): (Decimal("90.00"), Decimal("18.00")),
        ("S", "5.5"): (Decimal("-50.00"), Decimal("-2.75")),
    }
    assert (totals["BT-109"], totals["BT-110"], totals["BT-112"]) == (
        Decimal("40.00"),
        Decimal("15.25"),
        Decimal("55.25"),
    )
    # 5 x 80.00 = 400.00; -3 x 45.00 - 60.00 = -195.00 (BT-131); BT-106 = 205.00 -> VAT 41.00
    totals = _cii_totals(_xml(CASES["amount_discount_on_a_credit_line"], "cii"))
    assert totals["BG-23"] == {("S", "20"): (Decimal("205.00"), Decimal("41.00"))}
    assert totals["BT-112"] == Decimal("246.00")
