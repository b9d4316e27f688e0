"""The four mentions French law adds to e-invoices from September 2026: the customer's SIREN,
the delivery address when it is not the billing address, the nature of the operations and the
option for paying VAT on debits. Each is checked where it lives: validation of the document, the
mapping, the CII and UBL (XSD + official EN 16931 Schematron), the PDF, and the browser's copy
of the document shape."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
from lxml import etree  # type: ignore[import-untyped]

from collab.invoice import document as schema
from collab.invoice.en16931 import SemanticInvoice, to_cii, to_semantic, to_ubl
from collab.invoice.en16931.model import Address
from collab.invoice.validation import ERROR, WARNING, evaluate
from server.exports.pdf import Layout, render_pdf
from server.exports.validation import Report, check_cii, check_ubl
from tests.harness import ROOT
from tests.invoices_en16931 import FRENCH_BUYER, GERMAN_BUYER, ISSUED, SELLER, document, line

CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
DELIVERY_ADDRESS = {
    "line1": "12 rue des Docks",
    "line2": "Quai 3",
    "postcode": "59000",
    "city": "Lille",
    "country": "FR",
}
DELIVERY: dict[str, Any] = {"name": "Entrepôt Nord", "address": DELIVERY_ADDRESS}
DEBITS_SELLER = {**SELLER, "vat_on_debits": True}


def _issues(header: dict[str, Any]) -> dict[str, tuple[str, str]]:
    result = evaluate({"invoice": header, "lines": [line("a", "1", "10.00", "20")]})
    return {issue.path: (issue.code, issue.severity) for issue in result.issues}


def _semantic(seller: dict[str, Any] = DEBITS_SELLER, **header: Any) -> SemanticInvoice:
    content = document([line("a", "3", "45.00", "20")], **header)
    return to_semantic(content, number="F2026-000042", issue_date=ISSUED, seller=seller)


# -- the customer's SIREN -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        # A French customer with a VAT number is a business: its SIREN is asked for.
        (
            {"vat_id": "FR96552100554", "address": {"country": "FR"}},
            ("siren_required", WARNING),
        ),
        ({"vat_id": "FR96552100554", "siren": "552100554", "address": {"country": "FR"}}, None),
        # A SIRET names the company too (its first nine digits are the SIREN).
        (
            {"vat_id": "FR96552100554", "siren": "55210055400013", "address": {"country": "FR"}},
            None,
        ),
        # A consumer (no VAT number) has no SIREN; a foreign business has none either.
        ({"address": {"country": "FR"}}, None),
        ({"vat_id": "DE136695976", "address": {"country": "DE"}}, None),
        # A SIREN that fails its check digit is an error, as before.
        (
            {"vat_id": "FR96552100554", "siren": "552100555", "address": {"country": "FR"}},
            ("invalid_siren", ERROR),
        ),
    ],
)
def test_a_french_business_customer_needs_its_siren(
    customer: dict[str, Any], expected: tuple[str, str] | None
) -> None:
    assert _issues({"customer": customer}).get("invoice.customer.siren") == expected


# -- the delivery address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        (DELIVERY, None),
        ({}, None),
        ({"name": "", "address": {"line1": " ", "country": ""}}, None),  # nothing stated
        ({"address": {**DELIVERY_ADDRESS, "country": "France"}}, ("invalid_country", ERROR)),
        ({"address": {**DELIVERY_ADDRESS, "country": ""}}, ("required", ERROR)),  # BR-57
        ({"name": "Entrepôt Nord"}, ("required", ERROR)),
    ],
)
def test_a_delivery_address_has_a_country_code(
    delivery: dict[str, Any], expected: tuple[str, str] | None
) -> None:
    assert _issues({"delivery": delivery}).get("invoice.delivery.address.country") == expected


# -- the nature of the operations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        ("goods", None),
        ("services", None),
        ("mixed", None),
        ("", None),  # not stated yet: no message (docs/invoice-document.md says why)
        ("both", ("invalid_operations", ERROR)),
    ],
)
def test_the_nature_is_one_of_three(operations: str, expected: tuple[str, str] | None) -> None:
    assert _issues({"operations": operations}).get("invoice.operations") == expected


def test_the_document_shape_holds_the_new_fields_in_python_and_typescript() -> None:
    source = (ROOT / "web" / "src" / "schema.ts").read_text()

    def constant(name: str) -> list[str]:
        match = re.search(rf"export const {name} = (\[.*?\])", source, re.S)
        assert match, name
        return re.findall(r"'([^']*)'", match.group(1))

    assert schema.HEADER.fields is not None and schema.DELIVERY.fields is not None
    assert constant("DELIVERY_FIELDS") == list(schema.DELIVERY.fields)
    assert constant("OPERATIONS") == list(schema.OPERATIONS)
    assert {"delivery", "operations"} <= set(schema.HEADER.fields)


# -- the mapping ----------------------------------------------------------------------------------


def test_the_mapping_carries_the_four_mentions() -> None:
    invoice = _semantic(operations="services", delivery=DELIVERY)
    assert invoice.buyer.legal_id is not None and invoice.buyer.legal_id.value == "552100554"
    assert invoice.delivery is not None
    assert invoice.delivery.name == "Entrepôt Nord"
    assert invoice.delivery.address == Address("12 rue des Docks", "Quai 3", "Lille", "59000", "FR")
    assert invoice.delivery.date is None  # the document states no delivery date
    assert (invoice.operations, invoice.vat_on_debits) == ("services", True)
    notes = [(note.text, note.subject) for note in invoice.notes]
    assert ("Nature des opérations : prestations de services", None) in notes
    assert ("Option pour le paiement de la taxe d'après les débits", "TXD") in notes


def test_without_the_mentions_nothing_is_added() -> None:
    invoice = _semantic(seller=SELLER)
    assert invoice.delivery is None and invoice.operations == "" and not invoice.vat_on_debits
    assert all(note.subject != "TXD" for note in invoice.notes)


def test_an_unknown_nature_is_not_mapped() -> None:
    assert _semantic(operations="both").operations == ""


def test_an_intra_community_supply_keeps_its_stand_in_delivery_unless_an_address_is_given() -> None:
    content = document([line("a", "1", "1200.00", "0", "K")], customer=GERMAN_BUYER)
    plain = to_semantic(content, number="F-1", issue_date=ISSUED, seller=SELLER)
    assert plain.delivery is not None and plain.delivery.country == "DE"
    assert plain.delivery.address is None and plain.delivery.date == ISSUED
    content["invoice"]["delivery"] = {"address": {"city": "Wien", "country": "AT"}}
    moved = to_semantic(content, number="F-1", issue_date=ISSUED, seller=SELLER)
    assert moved.delivery is not None and moved.delivery.country == "AT"
    assert moved.delivery.address == Address(city="Wien", country="AT")


# -- the XML --------------------------------------------------------------------------------------


async def _check(syntax: str, xml: bytes) -> Report:
    return await (check_cii(xml) if syntax == "cii" else check_ubl(xml))


def _explain(report: Report) -> str:
    return "\n".join(f"{f.rule} {f.message} at {f.location}" for f in report.fatal)


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("operations", ["goods", "services", "mixed"])
async def test_every_nature_with_delivery_and_debits_passes_the_validators(
    syntax: str, operations: str
) -> None:
    invoice = _semantic(operations=operations, delivery=DELIVERY)
    xml = to_cii(invoice) if syntax == "cii" else to_ubl(invoice)
    report = await _check(syntax, xml)
    assert not report.fatal, _explain(report)


@pytest.mark.parametrize(
    ("operations", "process", "vat_point"),
    [("goods", "B1", []), ("services", "S1", ["5", "5"]), ("mixed", "M1", ["5", "5"])],
)
def test_cii_states_the_billing_frame_delivery_and_vat_point(
    operations: str, process: str, vat_point: list[str]
) -> None:
    # Two VAT groups, so BT-8 is written on each breakdown.
    content = document(
        [line("a", "3", "45.00", "20"), line("b", "1", "10.00", "10")],
        operations=operations,
        delivery=DELIVERY,
    )
    invoice = to_semantic(content, number="F-1", issue_date=ISSUED, seller=DEBITS_SELLER)
    root = etree.fromstring(to_cii(invoice))
    context = "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter"
    assert root.xpath(f"{context}/ram:ID/text()", namespaces=CII) == [process]
    ship = root.xpath("//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty", namespaces=CII)[0]
    assert ship.xpath("ram:Name/text()", namespaces=CII) == ["Entrepôt Nord"]
    address = ship.xpath("ram:PostalTradeAddress", namespaces=CII)[0]
    assert [child.text for child in address] == [
        "59000",
        "12 rue des Docks",
        "Quai 3",
        "Lille",
        "FR",
    ]
    settlement = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert root.xpath(f"{settlement}/ram:DueDateTypeCode/text()", namespaces=CII) == vat_point
    subjects = root.xpath("//ram:IncludedNote/ram:SubjectCode/text()", namespaces=CII)
    assert subjects.count("TXD") == 1


@pytest.mark.parametrize(("operations", "vat_point"), [("goods", []), ("services", ["3"])])
def test_ubl_states_delivery_vat_point_and_notes(operations: str, vat_point: list[str]) -> None:
    root = etree.fromstring(to_ubl(_semantic(operations=operations, delivery=DELIVERY)))
    assert root.xpath("cac:InvoicePeriod/cbc:DescriptionCode/text()", namespaces=UBL) == vat_point
    location = root.xpath("cac:Delivery/cac:DeliveryLocation/cac:Address", namespaces=UBL)[0]
    assert location.xpath("cbc:CityName/text()", namespaces=UBL) == ["Lille"]
    assert location.xpath("cac:Country/cbc:IdentificationCode/text()", namespaces=UBL) == ["FR"]
    party = "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name/text()"
    assert root.xpath(party, namespaces=UBL) == ["Entrepôt Nord"]
    notes = root.xpath("cbc:Note/text()", namespaces=UBL)
    assert "#TXD#Option pour le paiement de la taxe d'après les débits" in notes
    nature = {"goods": "livraisons de biens", "services": "prestations de services"}[operations]
    assert f"Nature des opérations : {nature}" in notes
    # Peppol BIS 3 fixes BT-23 in UBL: the French billing frame does not replace it.
    assert root.xpath("cbc:ProfileID/text()", namespaces=UBL) == [
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    ]


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
async def test_a_delivery_address_without_country_breaks_br_57(syntax: str) -> None:
    delivery = {"address": {**DELIVERY_ADDRESS, "country": ""}}
    invoice = _semantic(delivery=delivery)
    report = await _check(syntax, to_cii(invoice) if syntax == "cii" else to_ubl(invoice))
    assert "BR-57" in {finding.rule for finding in report.fatal}, _explain(report)


# -- the PDF --------------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(re.sub(r"[\u00a0\u202f]", " ", text).split())


PDF_EXPECTED = {
    "fr": [
        "SIREN 552100554",
        "Entrepôt Nord",
        "12 rue des Docks",
        "59000 Lille",
        "Nature des opérations : prestations de services",
        "Option pour le paiement de la taxe d'après les débits.",
    ],
    "en": [
        "SIREN 552100554",
        "Entrepôt Nord",
        "12 rue des Docks",
        "59000 Lille",
        "Nature of operations: supply of services",
        "VAT payable on debits.",
    ],
}


@pytest.mark.parametrize("template", ["classic", "modern"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pdf_shows_the_four_mentions(template: str, lang: str) -> None:
    invoice = _semantic(operations="services", delivery=DELIVERY, customer=FRENCH_BUYER)
    layout = Layout(template, lang)  # type: ignore[arg-type]
    text = _text(render_pdf(invoice, seller=DEBITS_SELLER, layout=layout, draft=False))
    for expected in PDF_EXPECTED[lang]:
        assert expected in text, (expected, text)
    # The mentions are worded in the PDF's language, never repeated as the XML's French notes.
    if lang == "en":
        assert "Nature des opérations" not in text and "débits" not in text


def test_the_pdf_says_nothing_of_mentions_the_invoice_does_not_carry() -> None:
    invoice = _semantic(seller=SELLER)
    text = _text(render_pdf(invoice, seller=SELLER, layout=Layout("classic", "en"), draft=True))
    assert "Nature of operations" not in text and "debits" not in text
    assert "deliver to" not in text.lower()
