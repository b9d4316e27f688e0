"""Allowances and charges (BG-20, BG-21, BG-27, BG-28) in the CII and UBL exports: the totals of
the invoices of tests/invoices_en16931.py that carry them match figures worked by hand from the
EN 16931 formulas (the arithmetic is beside each case there), every element says what its row
says (reason, code, base and percent, VAT category and rate), and a rule broken by a row points
at that row's field. Every export of these cases also runs through the XSD and the Schematron in
tests/test_en16931_mapping.py (it takes every case)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from collab.invoice.en16931 import sources_of, to_cii, to_semantic, to_ubl
from collab.invoice.en16931.paths import field_path
from server.exports.validation import check_cii, check_ubl
from tests.invoices_en16931 import CASES, ISSUED, Case, adjustment, document, line

CII = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
D = Decimal

# BT-106, BT-107, BT-108, BT-109, BT-110, BT-112; the arithmetic is in tests/invoices_en16931.py.
HAND_WORKED: dict[str, tuple[Decimal, ...]] = {
    "document_allowances_two_rates": (
        D("250.00"),
        D("15.00"),
        D("0"),
        D("235.00"),
        D("42.50"),
        D("277.50"),
    ),
    "document_charge_shipping": (
        D("120.00"),
        D("0"),
        D("15.00"),
        D("135.00"),
        D("27.00"),
        D("162.00"),
    ),
    "exempt_charge": (D("300.00"), D("0"), D("25.00"), D("325.00"), D("60.00"), D("385.00")),
    "outside_scope_charge": (D("80.00"), D("0"), D("10.00"), D("90.00"), D("0.00"), D("90.00")),
    "line_allowances_and_charge": (
        D("111.50"),
        D("0"),
        D("0"),
        D("111.50"),
        D("22.30"),
        D("133.80"),
    ),
    "yen_charge": (D("4500"), D("0"), D("500"), D("5000"), D("500"), D("5500")),
    "credit_note_allowance": (D("90.00"), D("9.00"), D("0"), D("81.00"), D("16.20"), D("97.20")),
    "discount_with_rows": (
        D("200.00"),
        D("25.00"),
        D("8.00"),
        D("183.00"),
        D("26.80"),
        D("209.80"),
    ),
}
# (category, rate) -> (BT-116, BT-117), rates as written ("" for O).
GROUPS: dict[str, dict[tuple[str, str], tuple[Decimal, Decimal]]] = {
    "document_allowances_two_rates": {
        ("S", "20"): (D("190.00"), D("38.00")),
        ("S", "10"): (D("45.00"), D("4.50")),
    },
    "document_charge_shipping": {("S", "20"): (D("135.00"), D("27.00"))},
    "exempt_charge": {
        ("E", "0"): (D("25.00"), D("0.00")),
        ("S", "20"): (D("300.00"), D("60.00")),
    },
    "outside_scope_charge": {("O", ""): (D("90.00"), D("0.00"))},
    "line_allowances_and_charge": {("S", "20"): (D("111.50"), D("22.30"))},
    "yen_charge": {("S", "10"): (D("5000"), D("500"))},
    "credit_note_allowance": {("S", "20"): (D("81.00"), D("16.20"))},
    "discount_with_rows": {
        ("S", "20"): (D("85.00"), D("17.00")),
        ("S", "10"): (D("98.00"), D("9.80")),
    },
}


def _semantic(case: Case) -> Any:
    return to_semantic(
        case.document,
        number="F2026-000042",
        issue_date=ISSUED,
        seller=case.seller,
        type_code=case.type_code,
        preceding=case.preceding,
    )


def _cii_figures(xml: bytes) -> tuple[tuple[Decimal, ...], dict[tuple[str, str], Any]]:
    tree = etree.fromstring(xml)
    total = tree.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", CII)
    names = (
        "LineTotal",
        "AllowanceTotal",
        "ChargeTotal",
        "TaxBasisTotal",
        "TaxTotal",
        "GrandTotal",
    )
    totals = tuple(D(total.findtext(f"ram:{n}Amount", "0", CII)) for n in names)
    groups = {
        (
            t.findtext("ram:CategoryCode", "", CII),
            t.findtext("ram:RateApplicablePercent", "", CII),
        ): (
            D(t.findtext("ram:BasisAmount", "", CII)),
            D(t.findtext("ram:CalculatedAmount", "", CII)),
        )
        for t in tree.iterfind(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", CII)
    }
    return totals, groups


def _ubl_figures(xml: bytes) -> tuple[tuple[Decimal, ...], dict[tuple[str, str], Any]]:
    tree = etree.fromstring(xml)
    total = tree.find("cac:LegalMonetaryTotal", UBL)
    names = ("LineExtension", "AllowanceTotal", "ChargeTotal", "TaxExclusive")
    totals = [D(total.findtext(f"cbc:{n}Amount", "0", UBL)) for n in names]
    totals.append(D(tree.findtext("cac:TaxTotal/cbc:TaxAmount", "", UBL)))
    totals.append(D(total.findtext("cbc:TaxInclusiveAmount", "", UBL)))
    groups = {
        (
            s.findtext("cac:TaxCategory/cbc:ID", "", UBL),
            s.findtext("cac:TaxCategory/cbc:Percent", "", UBL),
        ): (
            D(s.findtext("cbc:TaxableAmount", "", UBL)),
            D(s.findtext("cbc:TaxAmount", "", UBL)),
        )
        for s in tree.iterfind("cac:TaxTotal/cac:TaxSubtotal", UBL)
    }
    return tuple(totals), groups


@pytest.mark.parametrize("name", sorted(HAND_WORKED))
def test_totals_and_vat_groups_match_the_hand_worked_figures(name: str) -> None:
    semantic = _semantic(CASES[name])
    for figures in (_cii_figures(to_cii(semantic)), _ubl_figures(to_ubl(semantic))):
        assert figures == (HAND_WORKED[name], GROUPS[name])


def test_a_shipping_charge_carries_its_reason_code_and_vat() -> None:
    semantic = _semantic(CASES["document_charge_shipping"])
    tree = etree.fromstring(to_ubl(semantic))
    [charge] = tree.findall("cac:AllowanceCharge", UBL)
    assert charge.findtext("cbc:ChargeIndicator", "", UBL) == "true"
    assert charge.findtext("cbc:AllowanceChargeReasonCode", "", UBL) == "FC"
    assert charge.findtext("cbc:AllowanceChargeReason", "", UBL) == "Shipping"
    assert charge.findtext("cbc:Amount", "", UBL) == "15.00"
    assert charge.findtext("cac:TaxCategory/cbc:Percent", "", UBL) == "20"
    tree = etree.fromstring(to_cii(semantic))
    [charge] = tree.findall(
        ".//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge", CII
    )
    assert charge.findtext("ram:ChargeIndicator/udt:Indicator", "", CII) == "true"
    assert charge.findtext("ram:ReasonCode", "", CII) == "FC"
    assert charge.findtext("ram:CategoryTradeTax/ram:CategoryCode", "", CII) == "S"


def test_a_percent_allowance_states_its_base_and_percent() -> None:
    tree = etree.fromstring(to_ubl(_semantic(CASES["document_allowances_two_rates"])))
    first, second = tree.findall("cac:AllowanceCharge", UBL)
    # An amount row states no base; the percent row states 10 % of the group's nets, 50.00.
    assert first.find("cbc:BaseAmount", UBL) is None
    assert first.findtext("cbc:AllowanceChargeReason", "", UBL) == "Loyalty"
    assert first.find("cbc:AllowanceChargeReasonCode", UBL) is None
    assert second.findtext("cbc:MultiplierFactorNumeric", "", UBL) == "10"
    assert second.findtext("cbc:BaseAmount", "", UBL) == "50.00"
    assert second.findtext("cbc:Amount", "", UBL) == "5.00"
    assert second.findtext("cbc:AllowanceChargeReasonCode", "", UBL) == "64"


def test_line_allowances_and_charges_are_written_under_their_line() -> None:
    tree = etree.fromstring(to_cii(_semantic(CASES["line_allowances_and_charge"])))
    first, second = tree.findall(".//ram:IncludedSupplyChainTradeLineItem", CII)

    def written(item: Any) -> list[tuple[str, str, str, str]]:
        return [
            (
                e.findtext("ram:ChargeIndicator/udt:Indicator", "", CII),
                e.findtext("ram:CalculationPercent", "", CII),
                e.findtext("ram:ActualAmount", "", CII),
                e.findtext("ram:Reason", "", CII),
            )
            for e in item.findall(
                "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge", CII
            )
        ]

    assert written(first) == [
        ("false", "10", "10.00", "Volume rebate"),
        ("false", "", "5.00", "Damaged box"),
        ("true", "", "7.50", "Packing"),
    ]
    # The line's discount first (reason "Discount"), then its charge row.
    assert written(second) == [
        ("false", "10", "2.00", "Discount"),
        ("true", "5", "1.00", "Insurance"),
    ]


def test_an_exempt_group_of_charges_only_states_the_exemption() -> None:
    tree = etree.fromstring(to_ubl(_semantic(CASES["exempt_charge"])))
    [exempt] = [
        s
        for s in tree.iterfind("cac:TaxTotal/cac:TaxSubtotal", UBL)
        if s.findtext("cac:TaxCategory/cbc:ID", "", UBL) == "E"
    ]
    assert exempt.findtext("cac:TaxCategory/cbc:TaxExemptionReason", "", UBL) == "Exempt from VAT"


def test_an_outside_scope_charge_has_no_rate() -> None:
    tree = etree.fromstring(to_cii(_semantic(CASES["outside_scope_charge"])))
    [charge] = tree.findall(
        ".//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge", CII
    )
    assert charge.find("ram:CategoryTradeTax/ram:RateApplicablePercent", CII) is None


# A document allowance with neither reason nor code breaks BR-33; a line charge with an unknown
# code breaks BR-CL-20: both land on the row's field.
BROKEN = Case(
    document(
        [line("a", "2", "50.00", "20")],
        adjustments=[
            adjustment("bare", amount="5.00", category="S", rate="20"),
            adjustment("odd", on="a", charge=True, amount="1.00", reason="Fee", code="QQQ"),
        ],
    )
)


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_a_rule_broken_by_a_row_points_at_the_row(syntax: str) -> None:
    semantic = _semantic(BROKEN)
    xml = to_cii(semantic) if syntax == "cii" else to_ubl(semantic)
    report = await (check_cii(xml) if syntax == "cii" else check_ubl(xml))
    places = {f.rule: field_path(f.message, f.location, sources_of(semantic)) for f in report.fatal}
    assert places["BR-33"] == "adjustments.bare.reason", report.fatal
    assert places["BR-CL-20"] == "adjustments.odd.reason_code", report.fatal
