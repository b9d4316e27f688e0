"""Findings of the official EN 16931 Schematron placed on the field people fix. The messages
are quoted from the rules (server/exports/en16931/), the locations are the XPaths Saxon reports."""

from __future__ import annotations

import pytest

from collab.invoice.en16931.paths import field_path

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
