"""Import of what the document holds beyond the amounts: VAT exemption reasons (BT-120/BT-121,
onto the lines of their breakdown), the delivery (BG-13/BG-15) and the nature of the operations
(CII BT-23 B1/S1/M1; in UBL the note our exports write). Export, import, compare: every field
comes back and every total is kept; nothing of it is warned about."""

from __future__ import annotations

from typing import Any

import pytest

from collab.invoice.en16931 import to_cii, to_semantic, to_ubl
from collab.invoice.en16931.parse import parse_invoice
from collab.invoice.validation import evaluate
from server.exports.validation import check_cii, check_ubl
from tests.invoices_en16931 import GERMAN_BUYER, ISSUED, SELLER, document, line

DELIVERY = {
    "name": "Entrepôt Nord",
    "address": {
        "line1": "12 rue du Port",
        "postcode": "59140",
        "city": "Dunkerque",
        "country": "FR",
    },
}


def _exempt(category: str, reason: str, code: str, rate: str = "0") -> dict[str, Any]:
    row = line(f"x{category}", "2", "150.00", rate, category)
    return {**row, "exemption_reason": reason, "exemption_code": code}


MENTIONS = document(
    [
        line("a", "3", "45.00", "20"),
        _exempt("E", "Article 261 C du CGI", "VATEX-EU-132-1I"),
        _exempt("AE", "Autoliquidation", "VATEX-EU-AE"),
    ],
    delivery=DELIVERY,
    operations="services",
)
# a: 135.00 at 20 % -> 27.00; E: 300.00, AE: 300.00 at 0 -> BT-112 = 735.00 + 27.00 = 762.00


async def _exported(syntax: str, source: dict[str, Any]) -> bytes:
    semantic = to_semantic(source, number="F2026-000011", issue_date=ISSUED, seller=SELLER)
    xml = (to_cii if syntax == "cii" else to_ubl)(semantic)
    report = await (check_cii(xml) if syntax == "cii" else check_ubl(xml))
    assert report.ok, [(f.rule, f.message) for f in report.fatal]
    return xml


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_exemptions_delivery_and_nature_come_back(syntax: str) -> None:
    imported = parse_invoice(await _exported(syntax, MENTIONS))
    header = imported.document["invoice"]
    assert header["delivery"] == DELIVERY
    assert header["operations"] == "services"
    # The nature travels as BT-23 and a note: the note is not kept, so no export doubles it.
    assert header["notes"] == MENTIONS["invoice"]["notes"]
    exempt = {
        row["tax_category"]: (row.get("exemption_reason"), row.get("exemption_code"))
        for row in imported.document["lines"]
    }
    assert exempt == {
        "S": (None, None),
        "E": ("Article 261 C du CGI", "VATEX-EU-132-1I"),
        "AE": ("Autoliquidation", "VATEX-EU-AE"),
    }
    for term in ("BG-13", "BT-120", "BT-121", "BT-72", "BT-80"):
        assert not [w for w in imported.warnings if term in w], (term, imported.warnings)
    totals = evaluate(imported.document).totals
    assert totals == evaluate(MENTIONS).totals
    assert totals is not None and totals["gross"] == "762.00"


@pytest.mark.parametrize("process", ["B1", "S1", "M1", "B2"])
def test_the_cii_billing_frame_gives_the_nature(process: str) -> None:
    source = document([line("a", "1", "10.00", "20")], operations="goods")
    semantic = to_semantic(source, number="F1", issue_date=ISSUED, seller=SELLER)
    xml = to_cii(semantic).replace(b">B1<", f">{process}<".encode())
    # Without the note, BT-23 alone decides: B goods, S services, M both; the digit (how the
    # invoice is paid) is not held.
    xml = xml.replace("Nature des opérations : livraisons de biens".encode(), b"Hello")
    header = parse_invoice(xml).document["invoice"]
    expected = {"B": "goods", "S": "services", "M": "mixed"}[process[0]]
    assert header["operations"] == expected


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_an_intra_community_deliver_to_country_the_export_derived_is_not_kept(
    syntax: str,
) -> None:
    # Category K: the export states the buyer's country as the deliver-to country (BR-IC-12)
    # and the issue date as delivery date; neither is a delivery address the draft had.
    source = document(
        [_exempt("K", "Livraison intracommunautaire", "VATEX-EU-IC")], customer=GERMAN_BUYER
    )
    imported = parse_invoice(await _exported(syntax, source))
    assert "delivery" not in imported.document["invoice"]
    assert imported.document["lines"][0]["exemption_code"] == "VATEX-EU-IC"
    assert evaluate(imported.document).totals == evaluate(source).totals
