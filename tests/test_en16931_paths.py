"""Findings of the official EN 16931 Schematron placed on the field people fix. The messages
are quoted from the rules (server/exports/en16931/), the locations are the XPaths Saxon reports."""

from __future__ import annotations

import pytest

from collab.invoice.en16931.paths import Sources, field_path

LINES = ("l-audit", "l-travel")
UBL_LINE_2 = "/*:Invoice[1]/*:InvoiceLine[2]"
CII_LINE_1 = (
    "/*:CrossIndustryInvoice[1]/*:SupplyChainTradeTransaction[1]"
    "/*:IncludedSupplyChainTradeLineItem[1]"
)
ROOT = "/*:Invoice[1]"


@pytest.mark.parametrize(
    ("message", "location", "expected"),
    [
        ("[BR-07]-An Invoice shall contain the Buyer name (BT-44).", ROOT, "invoice.customer.name"),
        (
            "[BR-11]-The Buyer postal address shall contain a Buyer country code (BT-55).",
            ROOT,
            "invoice.customer.address.country",
        ),
        # The last term Cofacture holds: BT-63 and BT-32 are not in the model, BT-31 is.
        (
            "[BR-S-02]-An Invoice that contains an Invoice line (BG-25), a Document level "
            "allowance (BG-20) or a Document level charge (BG-21) where the VAT category code "
            '(BT-151, BT-95 or BT-102) is "Standard rated" shall contain the Seller VAT '
            "Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller "
            "tax representative VAT identifier (BT-63).",
            ROOT,
            "profile.vat_id",
        ),
        (
            "[BR-CO-25]-In case the Amount due for payment (BT-115) is positive, either the "
            "Payment due date (BT-9) or the Payment terms (BT-20) shall be present.",
            ROOT,
            "invoice.payment_terms",
        ),
        # Inside a line: that line's field.
        (
            "[BR-22]-Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).",
            UBL_LINE_2 + "/*:InvoicedQuantity[1]",
            "lines.l-travel.quantity",
        ),
        (
            "[BR-S-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code "
            '(BT-151) is "Standard rated" the Invoiced item VAT rate (BT-152) shall be greater '
            "than zero.",
            CII_LINE_1,
            "lines.l-audit.tax_rate",
        ),
        # A line finding naming no field of ours: the line itself.
        (
            "[BR-24]-Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).",
            UBL_LINE_2,
            "lines.l-travel",
        ),
        # Totals are computed, not typed: nothing to point at.
        (
            "[BR-CO-15]-Invoice total amount with VAT (BT-112) = Invoice total amount without VAT "
            "(BT-109) + Invoice total VAT amount (BT-110).",
            ROOT,
            None,
        ),
        # A line beyond those the export wrote is not guessed at.
        (
            "[BR-25]-Each Invoice line (BG-25) shall contain the Item name (BT-153).",
            "/*:Invoice[1]/*:InvoiceLine[9]",
            None,
        ),
    ],
)
def test_a_finding_lands_on_the_field_to_fix(
    message: str, location: str, expected: str | None
) -> None:
    assert field_path(message, location, LINES) == expected


# The header discount's share (no row), a row "ship" (a charge, written after the allowances);
# line 1 has its discount then a row "pack"; line 2 a row "fee".
SOURCES = Sources(
    lines=LINES,
    adjustments=("", "loyal", "ship"),
    line_adjustments=(("", "pack"), ("fee",)),
)
UBL_ROOT = "/*:Invoice[1]"
CII_HEADER = (
    "/*:CrossIndustryInvoice[1]/*:SupplyChainTradeTransaction[1]"
    "/*:ApplicableHeaderTradeSettlement[1]"
)


@pytest.mark.parametrize(
    ("message", "location", "expected"),
    [
        (
            "[BR-33]-Each Document level allowance (BG-20) shall have a Document level allowance "
            "reason (BT-97) or a Document level allowance reason code (BT-98).",
            UBL_ROOT + "/*:AllowanceCharge[2]",
            "adjustments.loyal.reason",
        ),
        (
            "[BR-CO-22]-Each Document level charge (BG-21) shall contain a Document level charge "
            "reason (BT-104) or a Document level charge reason code (BT-105), or both.",
            CII_HEADER + "/*:SpecifiedTradeAllowanceCharge[3]",
            "adjustments.ship.reason",
        ),
        (
            "[BR-CL-20]-Coded charge reasons MUST belong to the UNCL 7161 code list",
            UBL_ROOT + "/*:AllowanceCharge[3]/*:AllowanceChargeReasonCode[1]",
            "adjustments.ship.reason_code",
        ),
        (
            "[BR-S-07]-In a Document level charge (BG-21) where the Document level charge VAT "
            'category code (BT-102) is "Standard rated" the Document level charge VAT rate '
            "(BT-103) shall be greater than zero.",
            UBL_ROOT + "/*:AllowanceCharge[3]/*:TaxCategory[1]",
            "adjustments.ship.tax_rate",
        ),
        # The header discount has no row: its amount is the discount's value, as before.
        (
            "[BR-31]-Each Document level allowance (BG-20) shall have a Document level allowance "
            "amount (BT-92).",
            UBL_ROOT + "/*:AllowanceCharge[1]",
            "invoice.discount.value",
        ),
        # As Saxon writes locations: each step qualified by its namespace.
        (
            "[BR-33]-Each Document level allowance (BG-20) shall have a Document level allowance "
            "reason (BT-97) or a Document level allowance reason code (BT-98).",
            "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2']"
            "[1]/*:AllowanceCharge[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:"
            "CommonAggregateComponents-2'][2]",
            "adjustments.loyal.reason",
        ),
        # A line finding as Saxon locates it (before, no line was found in such a location).
        (
            "[BR-S-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code "
            '(BT-151) is "Standard rated" the Invoiced item VAT rate (BT-152) shall be greater '
            "than zero.",
            "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2']"
            "[1]/*:InvoiceLine[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:"
            "CommonAggregateComponents-2'][2]",
            "lines.l-travel.tax_rate",
        ),
        # Line level: the n-th line's k-th allowance or charge, not its price's.
        (
            "[BR-44]-Each Invoice line charge shall have an Invoice line charge reason or an "
            "invoice line allowance reason code.",
            UBL_LINE_2 + "/*:AllowanceCharge[1]",
            "adjustments.fee.reason",
        ),
        (
            "[BR-42]-Each Invoice line allowance (BG-27) shall have an Invoice line allowance "
            "reason (BT-139) or an Invoice line allowance reason code (BT-140).",
            CII_LINE_1 + "/*:SpecifiedLineTradeSettlement[1]/*:SpecifiedTradeAllowanceCharge[2]",
            "adjustments.pack.reason",
        ),
        (
            "[BR-41]-Each Invoice line allowance (BG-27) shall have an Invoice line allowance "
            "amount (BT-136).",
            CII_LINE_1 + "/*:SpecifiedLineTradeSettlement[1]/*:SpecifiedTradeAllowanceCharge[1]",
            "lines.l-audit.discount.value",
        ),
        (
            "[BR-27]-The Item net price (BT-146) shall NOT be negative.",
            UBL_LINE_2 + "/*:Price[1]/*:AllowanceCharge[1]",
            "lines.l-travel.unit_price",
        ),
    ],
)
def test_a_finding_about_an_allowance_or_charge_lands_on_its_row(
    message: str, location: str, expected: str
) -> None:
    assert field_path(message, location, SOURCES) == expected
