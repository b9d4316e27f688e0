"""The e-invoice reader on hand-worked invoices (allowances and charges carried as `adjustments`
rows, so every amount stays) and on hostile or broken files (refused, never a crash)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.invoice.en16931.parse import MAX_DEPTH, UnreadableInvoice, parse_invoice
from collab.invoice.validation import evaluate

HEAD = (
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
    "<cbc:ID>HW-1</cbc:ID><cbc:IssueDate>2026-03-02</cbc:IssueDate>"
    "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
    "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
)


def _adjustment(
    charge: bool, amount: str, category: str = "", rate: str = "", reason: str = "", **extra: str
) -> str:
    tax = (
        f"<cac:TaxCategory><cbc:ID>{category}</cbc:ID><cbc:Percent>{rate}</cbc:Percent>"
        "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
        if category
        else ""
    )
    more = "".join(f"<cbc:{k}>{v}</cbc:{k}>" for k, v in extra.items())
    return (
        f"<cac:AllowanceCharge><cbc:ChargeIndicator>{str(charge).lower()}</cbc:ChargeIndicator>"
        f"<cbc:AllowanceChargeReason>{reason or ('Shipping' if charge else 'Loyalty')}"
        f"</cbc:AllowanceChargeReason>{more}<cbc:Amount>{amount}</cbc:Amount>{tax}"
        "</cac:AllowanceCharge>"
    )


def _line(n: str, quantity: str, net: str, price: str, rate: str, adjustments: str = "") -> str:
    return (
        f"<cac:InvoiceLine><cbc:ID>{n}</cbc:ID>"
        f'<cbc:InvoicedQuantity unitCode="C62">{quantity}</cbc:InvoicedQuantity>'
        f"<cbc:LineExtensionAmount>{net}</cbc:LineExtensionAmount>{adjustments}"
        f"<cac:Item><cbc:Name>Item {n}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>"
        f"<cbc:Percent>{rate}</cbc:Percent></cac:ClassifiedTaxCategory></cac:Item>"
        f"<cac:Price><cbc:PriceAmount>{price}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>"
    )


def _totals(*figures: str, prepaid: str = "") -> str:
    names = ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")
    body = "".join(f"<cbc:{n}>{v}</cbc:{n}>" for n, v in zip(names, figures, strict=True))
    if prepaid:
        body += f"<cbc:PrepaidAmount>{prepaid}</cbc:PrepaidAmount>"
    return f"<cac:LegalMonetaryTotal>{body}</cac:LegalMonetaryTotal>"


def test_allowances_and_charges_become_rows_and_every_amount_stays() -> None:
    # Worked by hand (EN 16931 BR-CO-10..16):
    # line 1: 10 x 40.00 = 400.00 - allowance 15.00 + charge 5.00 = 390.00 (S 20)
    # line 2: 3 x 12.50 = 37.50 + charge 10.00 = 47.50 (S 10)
    # BT-106 = 437.50; document allowance 20.00 (S 20), charge 8.00 (S 10)
    # BT-109 = 437.50 - 20.00 + 8.00 = 425.50; S 20: 370.00 -> 74.00; S 10: 55.50 -> 5.55
    # BT-110 = 79.55; BT-112 = 505.05; prepaid 100.00 -> BT-115 = 405.05
    xml = (
        HEAD
        + _adjustment(False, "20.00", "S", "20")
        + _adjustment(True, "8.00", "S", "10")
        + "<cac:TaxTotal><cbc:TaxAmount>79.55</cbc:TaxAmount></cac:TaxTotal>"
        + _totals("437.50", "425.50", "505.05", "405.05", prepaid="100.00")
        + _line(
            "1",
            "10",
            "390.00",
            "40.00",
            "20",
            _adjustment(False, "15.00") + _adjustment(True, "5.00"),
        )
        + _line("2", "3", "47.50", "12.50", "10", _adjustment(True, "10.00"))
        + "</Invoice>"
    ).encode()
    imported = parse_invoice(xml)
    totals = evaluate(imported.document).totals
    assert totals is not None
    assert (totals["line_total"], totals["allowances"], totals["charges"]) == (
        "437.50",
        "20.00",
        "8.00",
    )
    assert (totals["net"], totals["tax"], totals["gross"]) == ("425.50", "79.55", "505.05")
    groups = {(g["category"], g["rate"]): (g["base"], g["amount"]) for g in totals["tax_breakdown"]}
    assert groups == {("S", "20"): ("370.00", "74.00"), ("S", "10"): ("55.50", "5.55")}
    first, second = imported.document["lines"]
    assert "discount" not in first  # "Loyalty" says more than a discount: a row of its own
    rows = [
        (
            {first["id"]: "1", second["id"]: "2", "": ""}[r["line"]],
            r["type"],
            r["amount"],
            r.get("tax_category"),
            r.get("tax_rate"),
            r["reason"],
        )
        for r in imported.document["adjustments"]
    ]
    assert rows == [
        ("1", "allowance", "15", None, None, "Loyalty"),
        ("1", "charge", "5", None, None, "Shipping"),
        ("2", "charge", "10", None, None, "Shipping"),
        ("", "allowance", "20", "S", "20", "Loyalty"),
        ("", "charge", "8", "S", "10", "Shipping"),
    ]
    ids = [r["id"] for r in imported.document["adjustments"]]
    assert len(set(ids)) == len(ids)
    text = "\n".join(imported.warnings)
    for kept in ("BG-20", "BG-21", "BG-27", "BG-28", "BT-10", "BT-110", "BG-23", "BT-115"):
        assert kept not in text, kept
    # BT-113 is the draft's paid amount: 505.05 - 100.00 = 405.05
    assert imported.document["invoice"]["prepaid"] == "100"
    assert totals["due"] == "405.05"


def test_a_single_allowance_in_the_only_vat_group_is_the_document_discount() -> None:
    # 2 x 100.00 = 200.00 at 20 %; 10 % of 200.00 = 20.00 -> 180.00, VAT 36.00, 216.00.
    xml = (
        HEAD
        + _adjustment(False, "20.00", "S", "20", "Discount", MultiplierFactorNumeric="10")
        + _totals("200.00", "180.00", "216.00", "216.00")
        + _line("1", "2", "200.00", "100.00", "20")
        + "</Invoice>"
    ).encode()
    imported = parse_invoice(xml)
    assert imported.document["invoice"]["discount"] == {"kind": "percent", "value": "10"}
    assert len(imported.document["lines"]) == 1
    assert not [w for w in imported.warnings if w.startswith(("BT-1", "BG-2"))][1:]


@pytest.mark.parametrize(
    ("xml", "says"),
    [
        (b"not xml at all", "not well-formed"),
        (b"<a/>", "not a UBL"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "DOCTYPE"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<a>&x;</a>",
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>',
            "DOCTYPE",
        ),
        (b"<a>" * (MAX_DEPTH + 5) + b"</a>" * (MAX_DEPTH + 5), "deeper"),
        (b" " * (5 * 1024 * 1024 + 1), "larger"),
        ((HEAD.replace("EUR", "") + "</Invoice>").encode(), "BT-5"),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_reason(xml: bytes, says: str) -> None:
    with pytest.raises(UnreadableInvoice, match=says):
        parse_invoice(xml)


def test_unreadable_figures_are_kept_as_text_and_named() -> None:
    xml = (HEAD + _line("1", "two", "1e3", "abc", "20") + "</Invoice>").encode()
    imported = parse_invoice(xml)
    row = imported.document["lines"][0]
    assert (row["quantity"], row["unit_price"]) == ("two", "abc")
    assert any("BT-131" in w for w in imported.warnings)
    assert Decimal(evaluate(imported.document).totals["net"]) == 0  # type: ignore[index]
