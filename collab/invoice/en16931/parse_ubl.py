"""Reading an OASIS UBL 2.1 Invoice or CreditNote (Peppol BIS 3, EN 16931 binding): where each
business term sits, the mirror of `ubl.py`. Only locates and copies text (see parse_read)."""

from __future__ import annotations

from typing import Final

from collab.invoice.en16931.parse_read import (
    Adjustment,
    Customer,
    Element,
    Finder,
    ReadDelivery,
    ReadInvoice,
    ReadLine,
    ReadTotals,
    ReadVat,
)

__all__ = ["CREDIT_NOTE_NS", "INVOICE_NS", "read_ubl"]

INVOICE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_X: Final = Finder(
    {
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    }
)
_BUYER: Final = "cac:AccountingCustomerParty/cac:Party"
# Business terms the document has no place for, reported by name when the invoice has them.
_DROPPED: Final = (
    ("cbc:TaxPointDate", "BT-7 VAT point date"),
    ("cbc:TaxCurrencyCode", "BT-6 VAT accounting currency (and BT-111)"),
    ("cbc:AccountingCost", "BT-19 buyer accounting reference"),
    ("cac:InvoicePeriod", "BG-14 invoicing period"),
    ("cac:OrderReference", "BT-13/BT-14 purchase and sales order references"),
    ("cac:DespatchDocumentReference", "BT-16 despatch advice reference"),
    ("cac:ReceiptDocumentReference", "BT-15 receiving advice reference"),
    ("cac:OriginatorDocumentReference", "BT-17 tender or lot reference"),
    ("cac:ContractDocumentReference", "BT-12 contract reference"),
    ("cac:AdditionalDocumentReference", "BG-24 additional supporting documents (BT-18)"),
    ("cac:ProjectReference", "BT-11 project reference"),
    (f"{_BUYER}/cac:PartyIdentification", "BT-46 buyer identifier"),
    (f"{_BUYER}/cac:Contact/cbc:Name", "BG-9 buyer contact point"),
    (f"{_BUYER}/cac:Contact/cbc:Telephone", "BG-9 buyer contact telephone (BT-57)"),
    ("cac:PayeeParty", "BG-10 payee"),
    ("cac:TaxRepresentativeParty", "BG-11 seller tax representative"),
    ("cac:Delivery/cbc:ActualDeliveryDate", "BT-72 actual delivery date"),
    ("cac:Delivery/cac:DeliveryLocation/cbc:ID", "BT-71 deliver-to location identifier"),
    (
        "cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CountrySubentity",
        "BT-79 deliver-to country subdivision",
    ),
    ("cac:PaymentMeans", "BG-16 payment instructions (the seller profile's account is used)"),
)
_LINE_DROPPED: Final = (
    ("cbc:Note", "BT-127 line note"),
    ("cbc:AccountingCost", "BT-133 line accounting reference"),
    ("cac:InvoicePeriod", "BG-26 line period"),
    ("cac:OrderLineReference", "BT-132 referenced purchase order line"),
    ("cac:DocumentReference", "BT-128 line object identifier"),
    ("cac:Item/cac:SellersItemIdentification", "BT-155 item seller's identifier"),
    ("cac:Item/cac:BuyersItemIdentification", "BT-156 item buyer's identifier"),
    ("cac:Item/cac:StandardItemIdentification", "BT-157 item standard identifier"),
    ("cac:Item/cac:CommodityClassification", "BT-158 item classification"),
    ("cac:Item/cac:OriginCountry", "BT-159 item country of origin"),
    ("cac:Item/cac:AdditionalItemProperty", "BG-32 item attributes"),
)


def read_ubl(root: Element, kind: str) -> ReadInvoice:
    """`root` is the `Invoice` or `CreditNote` element; `kind` its local name."""
    buyer = _X.one(root, _BUYER)
    return ReadInvoice(
        syntax="ubl",
        number=_X.text(root, "cbc:ID"),
        type_code=_X.text(root, f"cbc:{kind}TypeCode"),
        issue_date=_X.text(root, "cbc:IssueDate"),
        # UBL's CreditNote has no DueDate: Peppol puts BT-9 on the payment means.
        due_date=_X.text(root, "cbc:DueDate")
        or _X.text(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
        currency=_X.text(root, "cbc:DocumentCurrencyCode"),
        buyer_reference=_X.text(root, "cbc:BuyerReference"),
        payment_terms="\n".join(
            text for e in _X.all(root, "cac:PaymentTerms/cbc:Note") if (text := _content(e))
        ),
        notes=tuple(_note(e) for e in _X.all(root, "cbc:Note") if _content(e)),
        customer=_customer(buyer),
        adjustments=tuple(_adjustment(e) for e in _X.all(root, "cac:AllowanceCharge")),
        vat=_vat(root),
        totals=_totals(root),
        lines=tuple(_line(e, kind) for e in _X.all(root, f"cac:{kind}Line")),
        dropped=_X.present(root, _DROPPED),
        delivery=_delivery(_X.one(root, "cac:Delivery")),
        preceding=tuple(
            (_X.text(e, "cbc:ID"), _X.text(e, "cbc:IssueDate"))
            for e in _X.all(root, "cac:BillingReference/cac:InvoiceDocumentReference")
        ),
    )


def _delivery(delivery: Element | None) -> ReadDelivery:
    """BG-13: the deliver-to party's name (BT-70) and BG-15 address."""
    if delivery is None:
        return ReadDelivery()
    address = _X.one(delivery, "cac:DeliveryLocation/cac:Address")
    return ReadDelivery(
        name=_X.text(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
        line1=_X.text(address, "cbc:StreetName"),
        line2=_X.text(address, "cbc:AdditionalStreetName"),
        line3=_X.text(address, "cac:AddressLine/cbc:Line"),
        city=_X.text(address, "cbc:CityName"),
        postcode=_X.text(address, "cbc:PostalZone"),
        country=_X.text(address, "cac:Country/cbc:IdentificationCode"),
    )


def _content(element: Element) -> str:
    return "".join(element.itertext()).strip()


def _note(element: Element) -> tuple[str, str]:
    """BT-22, with the BT-21 subject code Peppol writes as a "#CODE#text" prefix."""
    text = _content(element)
    if text.startswith("#") and text.count("#") >= 2:
        subject, _, rest = text[1:].partition("#")
        if 0 < len(subject) <= 3 and subject.isalpha():
            return subject.upper(), rest.strip()
    return "", text


def _customer(party: Element | None) -> Customer:
    if party is None:
        return Customer()
    address = _X.one(party, "cac:PostalAddress")
    endpoint_scheme = _X.attribute(party, "cbc:EndpointID", "schemeID")
    legal = _X.one(party, "cac:PartyLegalEntity/cbc:CompanyID")
    vat_ids = [
        _X.text(scheme, "cbc:CompanyID")
        for scheme in _X.all(party, "cac:PartyTaxScheme")
        if _X.text(scheme, "cac:TaxScheme/cbc:ID").upper() == "VAT"
    ]
    return Customer(
        name=_X.text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _X.text(party, "cac:PartyName/cbc:Name"),
        email=_X.text(party, "cac:Contact/cbc:ElectronicMail")
        or (_X.text(party, "cbc:EndpointID") if endpoint_scheme.upper() == "EM" else ""),
        line1=_X.text(address, "cbc:StreetName"),
        line2=_X.text(address, "cbc:AdditionalStreetName"),
        line3=_X.text(address, "cac:AddressLine/cbc:Line"),
        city=_X.text(address, "cbc:CityName"),
        postcode=_X.text(address, "cbc:PostalZone"),
        subdivision=_X.text(address, "cbc:CountrySubentity"),
        country=_X.text(address, "cac:Country/cbc:IdentificationCode"),
        vat_id=vat_ids[0] if vat_ids else "",
        legal_id=(legal.text or "").strip() if legal is not None else "",
        legal_scheme=(legal.get("schemeID") or "").strip() if legal is not None else "",
    )


def _adjustment(element: Element) -> Adjustment:
    """BG-20 / BG-21 (with their VAT category) or BG-27 / BG-28."""
    return Adjustment(
        charge=_X.text(element, "cbc:ChargeIndicator").lower() == "true",
        amount=_X.text(element, "cbc:Amount"),
        base=_X.text(element, "cbc:BaseAmount"),
        percent=_X.text(element, "cbc:MultiplierFactorNumeric"),
        category=_X.text(element, "cac:TaxCategory/cbc:ID"),
        rate=_X.text(element, "cac:TaxCategory/cbc:Percent"),
        reason=_X.text(element, "cbc:AllowanceChargeReason"),
        reason_code=_X.text(element, "cbc:AllowanceChargeReasonCode"),
    )


def _vat(root: Element) -> tuple[ReadVat, ...]:
    return tuple(
        ReadVat(
            category=_X.text(subtotal, "cac:TaxCategory/cbc:ID"),
            rate=_X.text(subtotal, "cac:TaxCategory/cbc:Percent"),
            base=_X.text(subtotal, "cbc:TaxableAmount"),
            amount=_X.text(subtotal, "cbc:TaxAmount"),
            exemption_reason=_X.text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason"),
            exemption_code=_X.text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
        )
        for subtotal in _X.all(root, "cac:TaxTotal/cac:TaxSubtotal")
    )


def _totals(root: Element) -> ReadTotals:
    total = _X.one(root, "cac:LegalMonetaryTotal")
    currency = _X.text(root, "cbc:DocumentCurrencyCode")
    # BT-110 is the TaxTotal in the invoice currency; another one (BT-111) is in the VAT
    # accounting currency. Without currency attributes, the one with the breakdown.
    tax_totals = _X.all(root, "cac:TaxTotal")
    chosen = [t for t in tax_totals if _X.attribute(t, "cbc:TaxAmount", "currencyID") == currency]
    chosen = chosen or [t for t in tax_totals if _X.one(t, "cac:TaxSubtotal") is not None]
    return ReadTotals(
        line_total=_X.text(total, "cbc:LineExtensionAmount"),
        allowance_total=_X.text(total, "cbc:AllowanceTotalAmount"),
        charge_total=_X.text(total, "cbc:ChargeTotalAmount"),
        tax_exclusive=_X.text(total, "cbc:TaxExclusiveAmount"),
        tax_total=_X.text(chosen[0], "cbc:TaxAmount") if chosen else "",
        tax_inclusive=_X.text(total, "cbc:TaxInclusiveAmount"),
        prepaid=_X.text(total, "cbc:PrepaidAmount"),
        rounding=_X.text(total, "cbc:PayableRoundingAmount"),
        payable=_X.text(total, "cbc:PayableAmount"),
    )


def _line(element: Element, kind: str) -> ReadLine:
    quantity = "cbc:CreditedQuantity" if kind == "CreditNote" else "cbc:InvoicedQuantity"
    return ReadLine(
        position=_X.text(element, "cbc:ID"),
        quantity=_X.text(element, quantity),
        unit=_X.attribute(element, quantity, "unitCode"),
        net_amount=_X.text(element, "cbc:LineExtensionAmount"),
        net_price=_X.text(element, "cac:Price/cbc:PriceAmount"),
        base_quantity=_X.text(element, "cac:Price/cbc:BaseQuantity"),
        category=_X.text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        rate=_X.text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        name=_X.text(element, "cac:Item/cbc:Name"),
        description=_X.text(element, "cac:Item/cbc:Description"),
        adjustments=tuple(_adjustment(e) for e in _X.all(element, "cac:AllowanceCharge")),
        dropped=_X.present(element, _LINE_DROPPED),
        gross_price=_X.text(element, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"),
        price_discount=_X.text(element, "cac:Price/cac:AllowanceCharge/cbc:Amount"),
    )
