"""Reading a UN/CEFACT Cross Industry Invoice D16B (the XML inside Factur-X / ZUGFeRD): where each
business term sits, the mirror of `cii.py`. Only locates and copies text (see parse_read)."""

from __future__ import annotations

import re
from typing import Final

from collab.invoice.en16931.cii import NAMESPACES
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

__all__ = ["CII_NS", "read_cii"]

CII_NS: Final = NAMESPACES["rsm"]
_X: Final = Finder(dict(NAMESPACES))
_TX: Final = "rsm:SupplyChainTradeTransaction"
_AGREEMENT: Final = f"{_TX}/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT: Final = f"{_TX}/ram:ApplicableHeaderTradeSettlement"
_BUYER: Final = f"{_AGREEMENT}/ram:BuyerTradeParty"
_DELIVERY: Final = f"{_TX}/ram:ApplicableHeaderTradeDelivery"
_SHIP_TO: Final = f"{_DELIVERY}/ram:ShipToTradeParty/ram:PostalTradeAddress"
_DATE_102: Final = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_DROPPED: Final = (
    (f"{_AGREEMENT}/ram:SellerTaxRepresentativeTradeParty", "BG-11 seller tax representative"),
    (f"{_AGREEMENT}/ram:SellerOrderReferencedDocument", "BT-14 sales order reference"),
    (f"{_AGREEMENT}/ram:BuyerOrderReferencedDocument", "BT-13 purchase order reference"),
    (f"{_AGREEMENT}/ram:ContractReferencedDocument", "BT-12 contract reference"),
    (
        f"{_AGREEMENT}/ram:AdditionalReferencedDocument",
        "BG-24 additional supporting documents (BT-17, BT-18)",
    ),
    (f"{_AGREEMENT}/ram:SpecifiedProcuringProject", "BT-11 project reference"),
    (f"{_BUYER}/ram:ID", "BT-46 buyer identifier"),
    (f"{_BUYER}/ram:GlobalID", "BT-46 buyer identifier"),
    (f"{_BUYER}/ram:DefinedTradeContact/ram:PersonName", "BG-9 buyer contact point"),
    (
        f"{_BUYER}/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication",
        "BG-9 buyer contact telephone (BT-57)",
    ),
    (
        f"{_DELIVERY}/ram:ShipToTradeParty/ram:ID",
        "BT-71 deliver-to location identifier",
    ),
    (f"{_DELIVERY}/ram:ShipToTradeParty/ram:GlobalID", "BT-71 deliver-to location identifier"),
    (f"{_DELIVERY}/ram:ActualDeliverySupplyChainEvent", "BT-72 actual delivery date"),
    (f"{_SHIP_TO}/ram:CountrySubDivisionName", "BT-79 deliver-to country subdivision"),
    (f"{_SETTLEMENT}/ram:CreditorReferenceID", "BT-90 bank assigned creditor identifier"),
    (f"{_SETTLEMENT}/ram:TaxCurrencyCode", "BT-6 VAT accounting currency (and BT-111)"),
    (f"{_SETTLEMENT}/ram:PayeeTradeParty", "BG-10 payee"),
    (
        f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans",
        "BG-16 payment instructions (the seller profile's account is used)",
    ),
    (f"{_SETTLEMENT}/ram:BillingSpecifiedPeriod", "BG-14 invoicing period"),
    (
        f"{_SETTLEMENT}/ram:ReceivableSpecifiedTradeAccountingAccount",
        "BT-19 buyer accounting reference",
    ),
    (
        f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID",
        "BT-89 mandate reference",
    ),
    (f"{_SETTLEMENT}/ram:ApplicableTradeTax/ram:TaxPointDate", "BT-7 VAT point date"),
    (f"{_SETTLEMENT}/ram:ApplicableTradeTax/ram:DueDateTypeCode", "BT-8 VAT point date code"),
)
_LINE_DROPPED: Final = (
    ("ram:AssociatedDocumentLineDocument/ram:IncludedNote", "BT-127 line note"),
    ("ram:SpecifiedTradeProduct/ram:SellerAssignedID", "BT-155 item seller's identifier"),
    ("ram:SpecifiedTradeProduct/ram:BuyerAssignedID", "BT-156 item buyer's identifier"),
    ("ram:SpecifiedTradeProduct/ram:GlobalID", "BT-157 item standard identifier"),
    ("ram:SpecifiedTradeProduct/ram:DesignatedProductClassification", "BT-158 item classification"),
    ("ram:SpecifiedTradeProduct/ram:OriginTradeCountry", "BT-159 item country of origin"),
    ("ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic", "BG-32 item attributes"),
    (
        "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument",
        "BT-132 referenced purchase order line",
    ),
    ("ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod", "BG-26 line period"),
    (
        "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument",
        "BT-128 line object identifier",
    ),
    (
        "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount",
        "BT-133 line accounting reference",
    ),
)


def read_cii(root: Element) -> ReadInvoice:
    """`root` is the `rsm:CrossIndustryInvoice` element."""
    document = _X.one(root, "rsm:ExchangedDocument")
    settlement = _X.one(root, _SETTLEMENT)
    terms = _X.all(root, f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms")
    currency = _X.text(settlement, "ram:InvoiceCurrencyCode")
    return ReadInvoice(
        syntax="cii",
        number=_X.text(document, "ram:ID"),
        type_code=_X.text(document, "ram:TypeCode"),
        issue_date=_iso(_X.text(document, "ram:IssueDateTime/udt:DateTimeString")),
        due_date=next(
            (
                _iso(due)
                for term in terms
                if (due := _X.text(term, "ram:DueDateDateTime/udt:DateTimeString"))
            ),
            "",
        ),
        currency=currency,
        buyer_reference=_X.text(root, f"{_AGREEMENT}/ram:BuyerReference"),
        payment_terms="\n".join(
            text for term in terms if (text := _X.text(term, "ram:Description"))
        ),
        notes=tuple(
            (_X.text(note, "ram:SubjectCode").upper(), text)
            for note in ([] if document is None else _X.all(document, "ram:IncludedNote"))
            if (text := _X.text(note, "ram:Content"))
        ),
        customer=_customer(_X.one(root, _BUYER)),
        adjustments=tuple(
            _adjustment(e) for e in _X.all(root, f"{_SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge")
        ),
        vat=tuple(
            ReadVat(
                category=_X.text(tax, "ram:CategoryCode"),
                rate=_X.text(tax, "ram:RateApplicablePercent"),
                base=_X.text(tax, "ram:BasisAmount"),
                amount=_X.text(tax, "ram:CalculatedAmount"),
                exemption_reason=_X.text(tax, "ram:ExemptionReason"),
                exemption_code=_X.text(tax, "ram:ExemptionReasonCode"),
            )
            for tax in _X.all(root, f"{_SETTLEMENT}/ram:ApplicableTradeTax")
        ),
        totals=_totals(root, currency),
        lines=tuple(_line(e) for e in _X.all(root, f"{_TX}/ram:IncludedSupplyChainTradeLineItem")),
        dropped=_X.present(root, _DROPPED),
        delivery=_delivery(_X.one(root, f"{_DELIVERY}/ram:ShipToTradeParty")),
        process=_X.text(
            root,
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
        ),
        preceding=tuple(
            (
                _X.text(e, "ram:IssuerAssignedID"),
                _iso(_X.text(e, "ram:FormattedIssueDateTime/qdt:DateTimeString")),
            )
            for e in _X.all(root, f"{_SETTLEMENT}/ram:InvoiceReferencedDocument")
        ),
    )


def _delivery(party: Element | None) -> ReadDelivery:
    """BG-13: the ship-to party's name (BT-70) and BG-15 address; BT-71/BT-72 are reported."""
    if party is None:
        return ReadDelivery()
    address = _X.one(party, "ram:PostalTradeAddress")
    return ReadDelivery(
        name=_X.text(party, "ram:Name"),
        line1=_X.text(address, "ram:LineOne"),
        line2=_X.text(address, "ram:LineTwo"),
        line3=_X.text(address, "ram:LineThree"),
        city=_X.text(address, "ram:CityName"),
        postcode=_X.text(address, "ram:PostcodeCode"),
        country=_X.text(address, "ram:CountryID"),
    )


def _iso(text: str) -> str:
    """UNTDID 2379 format 102 (CCYYMMDD) as ISO 8601; anything else as written."""
    match = _DATE_102.fullmatch(text)
    return "-".join(match.groups()) if match else text


def _customer(party: Element | None) -> Customer:
    if party is None:
        return Customer()
    address = _X.one(party, "ram:PostalTradeAddress")
    uri = _X.one(party, "ram:URIUniversalCommunication/ram:URIID")
    uri_email = (
        (uri.text or "").strip()
        if uri is not None and (uri.get("schemeID") or "").upper() == "EM"
        else ""
    )
    legal = _X.one(party, "ram:SpecifiedLegalOrganization/ram:ID")
    vat_ids = [
        (e.text or "").strip()
        for e in _X.all(party, "ram:SpecifiedTaxRegistration/ram:ID")
        if (e.get("schemeID") or "").upper() == "VA"
    ]
    return Customer(
        name=_X.text(party, "ram:Name"),
        email=_X.text(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID")
        or uri_email,
        line1=_X.text(address, "ram:LineOne"),
        line2=_X.text(address, "ram:LineTwo"),
        line3=_X.text(address, "ram:LineThree"),
        city=_X.text(address, "ram:CityName"),
        postcode=_X.text(address, "ram:PostcodeCode"),
        subdivision=_X.text(address, "ram:CountrySubDivisionName"),
        country=_X.text(address, "ram:CountryID"),
        vat_id=vat_ids[0] if vat_ids else "",
        legal_id=(legal.text or "").strip() if legal is not None else "",
        legal_scheme=(legal.get("schemeID") or "").strip() if legal is not None else "",
    )


def _adjustment(element: Element) -> Adjustment:
    """BG-20 / BG-21 (with their VAT category) or BG-27 / BG-28."""
    return Adjustment(
        charge=_X.text(element, "ram:ChargeIndicator/udt:Indicator").lower() == "true",
        amount=_X.text(element, "ram:ActualAmount"),
        base=_X.text(element, "ram:BasisAmount"),
        percent=_X.text(element, "ram:CalculationPercent"),
        category=_X.text(element, "ram:CategoryTradeTax/ram:CategoryCode"),
        rate=_X.text(element, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
        reason=_X.text(element, "ram:Reason"),
        reason_code=_X.text(element, "ram:ReasonCode"),
    )


def _totals(root: Element, currency: str) -> ReadTotals:
    summation = _X.one(root, f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    # BT-110 carries the invoice currency; a second TaxTotalAmount (BT-111) another one.
    taxes = [] if summation is None else _X.all(summation, "ram:TaxTotalAmount")
    chosen = [t for t in taxes if (t.get("currencyID") or currency) == currency] or taxes
    return ReadTotals(
        line_total=_X.text(summation, "ram:LineTotalAmount"),
        allowance_total=_X.text(summation, "ram:AllowanceTotalAmount"),
        charge_total=_X.text(summation, "ram:ChargeTotalAmount"),
        tax_exclusive=_X.text(summation, "ram:TaxBasisTotalAmount"),
        tax_total=(chosen[0].text or "").strip() if chosen else "",
        tax_inclusive=_X.text(summation, "ram:GrandTotalAmount"),
        prepaid=_X.text(summation, "ram:TotalPrepaidAmount"),
        rounding=_X.text(summation, "ram:RoundingAmount"),
        payable=_X.text(summation, "ram:DuePayableAmount"),
    )


def _line(item: Element) -> ReadLine:
    product = _X.one(item, "ram:SpecifiedTradeProduct")
    price = _X.one(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice")
    gross = _X.one(item, "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice")
    settlement = _X.one(item, "ram:SpecifiedLineTradeSettlement")
    quantity = "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"
    return ReadLine(
        position=_X.text(item, "ram:AssociatedDocumentLineDocument/ram:LineID"),
        quantity=_X.text(item, quantity),
        unit=_X.attribute(item, quantity, "unitCode"),
        net_amount=_X.text(
            settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
        ),
        net_price=_X.text(price, "ram:ChargeAmount"),
        base_quantity=_X.text(price, "ram:BasisQuantity"),
        category=_X.text(settlement, "ram:ApplicableTradeTax/ram:CategoryCode"),
        rate=_X.text(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
        name=_X.text(product, "ram:Name"),
        description=_X.text(product, "ram:Description"),
        adjustments=tuple(
            _adjustment(e)
            for e in (
                []
                if settlement is None
                else _X.all(settlement, "ram:SpecifiedTradeAllowanceCharge")
            )
        ),
        dropped=_X.present(item, _LINE_DROPPED),
        gross_price=_X.text(gross, "ram:ChargeAmount"),
        price_discount=_X.text(gross, "ram:AppliedTradeAllowanceCharge/ram:ActualAmount"),
    )
