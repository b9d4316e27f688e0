"""The EN 16931 mapping and its CII and UBL output, judged by the official validators: every
varied invoice passes the XSD and the EN 16931 Schematron with no fatal rule, hand-worked totals
from the standard's formulas match the XML, and broken invoices fail with the right rule id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]
from stdnum.eu import vat
from stdnum.fr import siren

from collab.invoice.en16931 import to_cii, to_semantic, to_ubl
from server.exports.validation import Report, check_cii, check_ubl
from tests.invoices_en16931 import (
    BUYER_SIREN,
    BUYER_VAT,
    CASES,
    GERMAN_VAT,
    ISSUED,
    SELLER,
    Case,
    document,
    line,
)

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _xml(case: Case, syntax: str, number: str | None = "F2026-000042") -> bytes:
    semantic = to_semantic(
        case.document,
        number=number,
        issue_date=ISSUED,
        seller=case.seller,
        type_code=case.type_code,
        preceding=case.preceding,
    )
    return to_cii(semantic) if syntax == "cii" else to_ubl(semantic)


async def _check(syntax: str, xml: bytes) -> Report:
    return await (check_cii(xml) if syntax == "cii" else check_ubl(xml))


def _explain(report: Report) -> str:
    return "\n".join(f"{f.rule} {f.message} at {f.location}" for f in report.fatal)


def test_the_example_identifiers_are_valid() -> None:
    assert siren.is_valid(BUYER_SIREN) and vat.is_valid(BUYER_VAT) and vat.is_valid(GERMAN_VAT)


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_case_passes_the_xsd_and_the_schematron(name: str, syntax: str) -> None:
    report = await _check(syntax, _xml(CASES[name], syntax))
    assert report.fatal == (), _explain(report)


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_a_draft_is_exported_with_a_placeholder_number(syntax: str) -> None:
    xml = _xml(CASES["standard_20"], syntax, number=None)
    assert b">DRAFT<" in xml
    report = await _check(syntax, xml)
    assert report.fatal == (), _explain(report)


def _cii_totals(xml: bytes) -> dict[str, Any]:
    tree = etree.fromstring(xml)
    summation = tree.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", CII_NS)
    settlement = tree.find(".//ram:ApplicableHeaderTradeSettlement", CII_NS)
    groups = {
        (
            tax.findtext("ram:CategoryCode", namespaces=CII_NS),
            tax.findtext("ram:RateApplicablePercent", namespaces=CII_NS),
        ): (
            Decimal(tax.findtext("ram:BasisAmount", namespaces=CII_NS)),
            Decimal(tax.findtext("ram:CalculatedAmount", namespaces=CII_NS)),
        )
        for tax in settlement.findall("ram:ApplicableTradeTax", CII_NS)
    }

    def amount(name: str) -> Decimal:
        return Decimal(summation.findtext(f"ram:{name}", namespaces=CII_NS))

    return {
        "BT-106": amount("LineTotalAmount"),
        "BT-109": amount("TaxBasisTotalAmount"),
        "BT-110": amount("TaxTotalAmount"),
        "BT-112": amount("GrandTotalAmount"),
        "BT-115": amount("DuePayableAmount"),
        "BG-23": groups,
    }


def _ubl_totals(xml: bytes) -> dict[str, Any]:
    tree = etree.fromstring(xml)
    total = tree.find("cac:LegalMonetaryTotal", UBL_NS)
    groups = {
        (
            sub.findtext("cac:TaxCategory/cbc:ID", namespaces=UBL_NS),
            sub.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL_NS),
        ): (
            Decimal(sub.findtext("cbc:TaxableAmount", namespaces=UBL_NS)),
            Decimal(sub.findtext("cbc:TaxAmount", namespaces=UBL_NS)),
        )
        for sub in tree.findall("cac:TaxTotal/cac:TaxSubtotal", UBL_NS)
    }

    def amount(path: str) -> Decimal:
        return Decimal(
            tree.findtext(path, namespaces=UBL_NS)
            if "/" in path
            else total.findtext(f"cbc:{path}", namespaces=UBL_NS)
        )

    return {
        "BT-106": amount("LineExtensionAmount"),
        "BT-109": amount("TaxExclusiveAmount"),
        "BT-110": amount("cac:TaxTotal/cbc:TaxAmount"),
        "BT-112": amount("TaxInclusiveAmount"),
        "BT-115": amount("PayableAmount"),
        "BG-23": groups,
    }


# Worked by hand from EN 16931: BT-131 = round(qty x price) - line allowances; BT-106 = sum of
# BT-131; BT-109 = BT-106 - BT-107; BT-116 = group's BT-131 sum - its BG-20 share; BT-117 =
# round(BT-116 x rate / 100) half-up to the minor unit; BT-110 = sum of BT-117; BT-112 = BT-109
# + BT-110; BT-115 = BT-112 - BT-113 (0).
HAND_WORKED: dict[str, dict[str, Any]] = {
    # 1 x 100.00 = 100.00 (20 %); 4 x 12.345 = 49.38 (10 %); 3 x 9.99 = 29.97 (5.5 %)
    # BT-106 = 100.00 + 49.38 + 29.97 = 179.35
    # VAT: 100.00 x 20 % = 20.00; 49.38 x 10 % = 4.938 -> 4.94; 29.97 x 5.5 % = 1.64835 -> 1.65
    # BT-110 = 20.00 + 4.94 + 1.65 = 26.59; BT-112 = 179.35 + 26.59 = 205.94
    "rates_20_10_5_5": {
        "BT-106": Decimal("179.35"),
        "BT-109": Decimal("179.35"),
        "BT-110": Decimal("26.59"),
        "BT-112": Decimal("205.94"),
        "BT-115": Decimal("205.94"),
        "BG-23": {
            ("S", "20"): (Decimal("100.00"), Decimal("20.00")),
            ("S", "10"): (Decimal("49.38"), Decimal("4.94")),
            ("S", "5.5"): (Decimal("29.97"), Decimal("1.65")),
        },
    },
    # 2 x 100.00 = 200.00 (20 %), 1 x 100.00 = 100.00 (10 %); BT-106 = 300.00
    # 10 % document discount = 30.00, split pro rata of the groups: 20.00 (20 %), 10.00 (10 %)
    # BT-116: 200.00 - 20.00 = 180.00 and 100.00 - 10.00 = 90.00; BT-117: 36.00 and 9.00
    # BT-109 = 300.00 - 30.00 = 270.00; BT-110 = 45.00; BT-112 = 315.00
    "document_percent_discount": {
        "BT-106": Decimal("300.00"),
        "BT-109": Decimal("270.00"),
        "BT-110": Decimal("45.00"),
        "BT-112": Decimal("315.00"),
        "BT-115": Decimal("315.00"),
        "BG-23": {
            ("S", "20"): (Decimal("180.00"), Decimal("36.00")),
            ("S", "10"): (Decimal("90.00"), Decimal("9.00")),
        },
    },
    # SPEC section 3: 3 x 45.00 - 60.00 = 75.00; 4 x 25.00 - 10 % = 100.00 - 10.00 = 90.00
    # BT-106 = 165.00 at 21 %: 165.00 x 21 % = 34.65; BT-112 = 199.65
    "line_discounts": {
        "BT-106": Decimal("165.00"),
        "BT-109": Decimal("165.00"),
        "BT-110": Decimal("34.65"),
        "BT-112": Decimal("199.65"),
        "BT-115": Decimal("199.65"),
        "BG-23": {("S", "21"): (Decimal("165.00"), Decimal("34.65"))},
    },
    # JPY has no minor unit: 3 x 1500 = 4500 (10 %) -> 450; 7 x 333 = 2331 (8 %) -> 186.48 -> 186
    # BT-106 = 6831; BT-110 = 636; BT-112 = 7467
    "yen": {
        "BT-106": Decimal("6831"),
        "BT-109": Decimal("6831"),
        "BT-110": Decimal("636"),
        "BT-112": Decimal("7467"),
        "BT-115": Decimal("7467"),
        "BG-23": {
            ("S", "10"): (Decimal("4500"), Decimal("450")),
            ("S", "8"): (Decimal("2331"), Decimal("186")),
        },
    },
}


@pytest.mark.parametrize("name", sorted(HAND_WORKED))
def test_totals_match_the_hand_worked_figures(name: str) -> None:
    expected = HAND_WORKED[name]
    assert _cii_totals(_xml(CASES[name], "cii")) == expected
    assert _ubl_totals(_xml(CASES[name], "ubl")) == expected


def test_yen_amounts_carry_no_decimals() -> None:
    xml = _xml(CASES["yen"], "ubl")
    tree = etree.fromstring(xml)
    amounts = [e.text for e in tree.iter() if e.get("currencyID") == "JPY"]
    assert amounts and all("." not in text for text in amounts)


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_a_seller_without_vat_id_breaks_br_s_02(syntax: str) -> None:
    case = Case(CASES["standard_20"].document, seller={**SELLER, "vat_id": ""})
    report = await _check(syntax, _xml(case, syntax))
    assert "BR-S-02" in report.rules()


async def test_a_wrong_grand_total_breaks_br_co_15() -> None:
    xml = _xml(CASES["standard_20"], "cii")
    # The hand-worked gross is 192.00 (160.00 + 32.00); one cent more breaks BR-CO-15.
    assert b"<ram:GrandTotalAmount>192.00<" in xml
    broken = xml.replace(b"<ram:GrandTotalAmount>192.00<", b"<ram:GrandTotalAmount>192.01<")
    assert "BR-CO-15" in (await check_cii(broken)).rules()


async def test_a_wrong_vat_amount_breaks_br_co_14_in_ubl() -> None:
    xml = _xml(CASES["standard_20"], "ubl")
    broken = xml.replace(
        b'<cbc:TaxAmount currencyID="EUR">32.00</cbc:TaxAmount>\n    <cac:TaxSubtotal>',
        b'<cbc:TaxAmount currencyID="EUR">31.00</cbc:TaxAmount>\n    <cac:TaxSubtotal>',
    )
    assert broken != xml
    assert "BR-CO-14" in (await check_ubl(broken)).rules()


async def test_a_buyer_without_a_name_breaks_br_07_at_its_place() -> None:
    case = Case(document([line("a", "1", "10.00", "20")], customer={"address": {"country": "FR"}}))
    report = await check_cii(_xml(case, "cii"))
    assert "BR-07" in report.rules()


async def test_elements_out_of_xsd_order_are_reported_as_xsd() -> None:
    xml = _xml(CASES["standard_20"], "ubl")
    broken = xml.replace(b"<cbc:DocumentCurrencyCode>", b"<cbc:Foo/><cbc:DocumentCurrencyCode>")
    report = await check_ubl(broken)
    assert "XSD" in report.rules()


async def test_malformed_xml_is_one_fatal_finding() -> None:
    report = await check_cii(b"<rsm:CrossIndustryInvoice")
    assert report.rules() == {"XML"}
