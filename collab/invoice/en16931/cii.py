"""The semantic invoice as UN/CEFACT Cross Industry Invoice D16B, the XML inside Factur-X,
EN 16931 profile (guideline `urn:cen.eu:en16931:2017`).

Elements are written in the order the Factur-X EN 16931 XSD declares them; the comments give
the business term each one carries.
"""

from __future__ import annotations

from typing import Final

from collab.invoice.en16931.french import BUSINESS_PROCESS, vat_point_on_invoice
from collab.invoice.en16931.model import (
    VAT,
    Address,
    DocumentAllowance,
    DocumentCharge,
    Line,
    LineAllowance,
    LineCharge,
    Party,
    SemanticInvoice,
    VatBreakdown,
)
from collab.invoice.en16931.xmlbuild import (
    Builder,
    Element,
    amount,
    compact_date,
    number,
    serialize,
)

__all__ = ["GUIDELINE", "NAMESPACES", "to_cii"]

GUIDELINE: Final = "urn:cen.eu:en16931:2017"  # BT-24: Factur-X EN 16931 profile
NAMESPACES: Final = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_X = Builder(dict(NAMESPACES))


def to_cii(invoice: SemanticInvoice) -> bytes:
    """The invoice as CII XML bytes (UTF-8, with an XML declaration)."""
    root = _X.root("rsm:CrossIndustryInvoice")
    context = _X.add(root, "rsm:ExchangedDocumentContext")
    if process := BUSINESS_PROCESS.get(invoice.operations):  # BT-23, the French billing frame
        parameter = _X.add(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
        _X.add(parameter, "ram:ID", process)
    _X.add(_X.add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)
    document = _X.add(root, "rsm:ExchangedDocument")
    _X.add(document, "ram:ID", invoice.number)  # BT-1
    _X.add(document, "ram:TypeCode", invoice.type_code)  # BT-3
    _date(_X.add(document, "ram:IssueDateTime"), invoice)  # BT-2
    for note in invoice.notes:  # BG-1
        included = _X.add(document, "ram:IncludedNote")
        _X.add(included, "ram:Content", note.text)  # BT-22
        if note.subject:
            _X.add(included, "ram:SubjectCode", note.subject)  # BT-21
    transaction = _X.add(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(transaction, line)
    _agreement(transaction, invoice)
    _delivery(transaction, invoice)
    _settlement(transaction, invoice)
    return serialize(root)


def _date(parent: Element, invoice: SemanticInvoice) -> None:
    _X.add(parent, "udt:DateTimeString", compact_date(invoice.issue_date), format="102")


def _line(transaction: Element, line: Line) -> None:
    """BG-25."""
    item = _X.add(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _X.add(_X.add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.id)  # BT-126
    _X.add(_X.add(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name)  # BT-153
    agreement = _X.add(item, "ram:SpecifiedLineTradeAgreement")
    base = {"unitCode": line.unit}
    if line.gross_price is not None:  # BG-29
        gross = _X.add(agreement, "ram:GrossPriceProductTradePrice")
        _X.add(gross, "ram:ChargeAmount", number(line.gross_price))  # BT-148
        if line.base_quantity is not None:  # BT-149 / BT-150
            _X.add(gross, "ram:BasisQuantity", number(line.base_quantity), **base)
        if line.price_discount:  # BT-147
            applied = _X.add(gross, "ram:AppliedTradeAllowanceCharge")
            _X.add(_X.add(applied, "ram:ChargeIndicator"), "udt:Indicator", "false")
            _X.add(applied, "ram:ActualAmount", number(line.price_discount))
    price = _X.add(agreement, "ram:NetPriceProductTradePrice")
    _X.add(price, "ram:ChargeAmount", number(line.net_price))  # BT-146
    if line.base_quantity is not None:  # BT-149 / BT-150
        _X.add(price, "ram:BasisQuantity", number(line.base_quantity), **base)
    delivery = _X.add(item, "ram:SpecifiedLineTradeDelivery")
    _X.add(delivery, "ram:BilledQuantity", number(line.quantity), unitCode=line.unit)  # BT-129/130
    settlement = _X.add(item, "ram:SpecifiedLineTradeSettlement")
    tax = _X.add(settlement, "ram:ApplicableTradeTax")  # BG-30
    _X.add(tax, "ram:TypeCode", VAT)
    _X.add(tax, "ram:CategoryCode", line.category)  # BT-151
    if line.rate is not None:
        _X.add(tax, "ram:RateApplicablePercent", number(line.rate))  # BT-152
    for adjustment in line.adjustments:  # BG-27, then BG-28
        _line_adjustment(settlement, adjustment)
    summation = _X.add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _X.add(summation, "ram:LineTotalAmount", amount(line.net_amount))  # BT-131


def _line_adjustment(settlement: Element, adjustment: LineAllowance | LineCharge) -> None:
    """BG-27 (BT-136..BT-140) or BG-28 (BT-141..BT-145)."""
    element = _X.add(settlement, "ram:SpecifiedTradeAllowanceCharge")
    _adjustment(element, adjustment, isinstance(adjustment, LineCharge))


def _adjustment(
    element: Element,
    adjustment: LineAllowance | LineCharge | DocumentAllowance | DocumentCharge,
    charge: bool,
) -> None:
    """What allowances and charges share, at either level, in the XSD's order."""
    _X.add(_X.add(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if charge else "false")
    if adjustment.percent is not None:  # BT-94 / BT-101 / BT-138 / BT-143
        _X.add(element, "ram:CalculationPercent", number(adjustment.percent))
    if adjustment.base is not None:  # BT-93 / BT-100 / BT-137 / BT-142
        _X.add(element, "ram:BasisAmount", amount(adjustment.base))
    _X.add(element, "ram:ActualAmount", amount(adjustment.amount))  # BT-92 / 99 / 136 / 141
    _X.add_if(element, "ram:ReasonCode", adjustment.reason_code)  # BT-98 / 105 / 140 / 145
    _X.add_if(element, "ram:Reason", adjustment.reason)  # BT-97 / BT-104 / BT-139 / BT-144


def _agreement(transaction: Element, invoice: SemanticInvoice) -> None:
    agreement = _X.add(transaction, "ram:ApplicableHeaderTradeAgreement")
    _X.add_if(agreement, "ram:BuyerReference", invoice.buyer_reference)  # BT-10
    _party(_X.add(agreement, "ram:SellerTradeParty"), invoice.seller)  # BG-4
    _party(_X.add(agreement, "ram:BuyerTradeParty"), invoice.buyer)  # BG-7


def _party(element: Element, party: Party) -> None:
    _X.add(element, "ram:Name", party.name)  # BT-27 / BT-44
    if party.legal_id is not None:  # BT-30 / BT-47
        organization = _X.add(element, "ram:SpecifiedLegalOrganization")
        scheme = {"schemeID": party.legal_id.scheme} if party.legal_id.scheme else {}
        _X.add(organization, "ram:ID", party.legal_id.value, **scheme)
    _address(_X.add(element, "ram:PostalTradeAddress"), party.address)  # BG-5 / BG-8
    if party.email:  # BT-34 / BT-49
        communication = _X.add(element, "ram:URIUniversalCommunication")
        _X.add(communication, "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:  # BT-31 / BT-48
        registration = _X.add(element, "ram:SpecifiedTaxRegistration")
        _X.add(registration, "ram:ID", party.vat_id, schemeID="VA")


def _address(element: Element, address: Address) -> None:
    _X.add_if(element, "ram:PostcodeCode", address.postcode)
    _X.add_if(element, "ram:LineOne", address.line1)
    _X.add_if(element, "ram:LineTwo", address.line2)
    _X.add_if(element, "ram:CityName", address.city)
    _X.add(element, "ram:CountryID", address.country)


def _delivery(transaction: Element, invoice: SemanticInvoice) -> None:
    """BG-13; the element itself is mandatory in CII even when empty."""
    element = _X.add(transaction, "ram:ApplicableHeaderTradeDelivery")
    delivery = invoice.delivery
    if delivery is None:
        return
    if delivery.name or delivery.address is not None or delivery.country:
        party = _X.add(element, "ram:ShipToTradeParty")
        _X.add_if(party, "ram:Name", delivery.name)  # BT-70
        if delivery.address is not None or delivery.country:  # BG-15: BT-75..BT-80
            address = delivery.address or Address(country=delivery.country)
            _address(_X.add(party, "ram:PostalTradeAddress"), address)
    if delivery.date is not None:  # BT-72
        event = _X.add(element, "ram:ActualDeliverySupplyChainEvent")
        occurrence = _X.add(event, "ram:OccurrenceDateTime")
        _X.add(occurrence, "udt:DateTimeString", compact_date(delivery.date), format="102")


def _settlement(transaction: Element, invoice: SemanticInvoice) -> None:
    settlement = _X.add(transaction, "ram:ApplicableHeaderTradeSettlement")
    if invoice.payment is not None:
        _X.add_if(settlement, "ram:PaymentReference", invoice.payment.remittance)  # BT-83
    _X.add(settlement, "ram:InvoiceCurrencyCode", invoice.currency)  # BT-5
    if invoice.payment is not None:  # BG-16
        means = _X.add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _X.add(means, "ram:TypeCode", invoice.payment.means_code)  # BT-81
        account = _X.add(means, "ram:PayeePartyCreditorFinancialAccount")
        _X.add(account, "ram:IBANID", invoice.payment.iban)  # BT-84
        _X.add_if(account, "ram:AccountName", invoice.payment.account_name)  # BT-85
        if invoice.payment.bic:  # BT-86
            institution = _X.add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _X.add(institution, "ram:BICID", invoice.payment.bic)
    on_invoice = vat_point_on_invoice(invoice)
    for group in invoice.vat_breakdown:
        _breakdown(settlement, group, on_invoice)
    for adjustment in invoice.adjustments:  # BG-20, then BG-21
        _document_adjustment(settlement, adjustment)
    if invoice.payment_terms or invoice.due_date is not None:  # BT-20, BT-9
        terms = _X.add(settlement, "ram:SpecifiedTradePaymentTerms")
        _X.add_if(terms, "ram:Description", invoice.payment_terms)
        if invoice.due_date is not None:
            due = _X.add(terms, "ram:DueDateDateTime")
            _X.add(due, "udt:DateTimeString", compact_date(invoice.due_date), format="102")
    _totals(settlement, invoice)
    for preceding in invoice.preceding:  # BG-3
        reference = _X.add(settlement, "ram:InvoiceReferencedDocument")
        _X.add(reference, "ram:IssuerAssignedID", preceding.number)  # BT-25
        if preceding.issue_date is not None:  # BT-26
            issued = _X.add(reference, "ram:FormattedIssueDateTime")
            _X.add(issued, "qdt:DateTimeString", compact_date(preceding.issue_date), format="102")


def _breakdown(settlement: Element, group: VatBreakdown, on_invoice: bool) -> None:
    """BG-23."""
    tax = _X.add(settlement, "ram:ApplicableTradeTax")
    _X.add(tax, "ram:CalculatedAmount", amount(group.amount))  # BT-117
    _X.add(tax, "ram:TypeCode", VAT)
    _X.add_if(tax, "ram:ExemptionReason", group.exemption_reason)  # BT-120
    _X.add(tax, "ram:BasisAmount", amount(group.base))  # BT-116
    _X.add(tax, "ram:CategoryCode", group.category)  # BT-118
    _X.add_if(tax, "ram:ExemptionReasonCode", group.exemption_code)  # BT-121
    if on_invoice:  # BT-8, UNTDID 2475 code 5: VAT due at the invoice date (VAT on debits)
        _X.add(tax, "ram:DueDateTypeCode", "5")
    if group.rate is not None:
        _X.add(tax, "ram:RateApplicablePercent", number(group.rate))  # BT-119


def _document_adjustment(
    settlement: Element, adjustment: DocumentAllowance | DocumentCharge
) -> None:
    """BG-20 or BG-21, with its VAT category and rate (BT-95/96, BT-102/103)."""
    element = _X.add(settlement, "ram:SpecifiedTradeAllowanceCharge")
    _adjustment(element, adjustment, isinstance(adjustment, DocumentCharge))
    tax = _X.add(element, "ram:CategoryTradeTax")
    _X.add(tax, "ram:TypeCode", VAT)
    _X.add(tax, "ram:CategoryCode", adjustment.category)  # BT-95 / BT-102
    if adjustment.rate is not None:
        _X.add(tax, "ram:RateApplicablePercent", number(adjustment.rate))  # BT-96 / BT-103


def _totals(settlement: Element, invoice: SemanticInvoice) -> None:
    """BG-22."""
    totals = invoice.totals
    summation = _X.add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _X.add(summation, "ram:LineTotalAmount", amount(totals.line_total))  # BT-106
    if invoice.charges:
        _X.add(summation, "ram:ChargeTotalAmount", amount(totals.charge_total))  # BT-108
    if invoice.allowances:
        _X.add(summation, "ram:AllowanceTotalAmount", amount(totals.allowance_total))  # BT-107
    _X.add(summation, "ram:TaxBasisTotalAmount", amount(totals.tax_exclusive))  # BT-109
    tax_total = amount(totals.tax_total)
    _X.add(summation, "ram:TaxTotalAmount", tax_total, currencyID=invoice.currency)  # BT-110
    if totals.rounding:
        _X.add(summation, "ram:RoundingAmount", amount(totals.rounding))  # BT-114
    _X.add(summation, "ram:GrandTotalAmount", amount(totals.tax_inclusive))  # BT-112
    if totals.prepaid:
        _X.add(summation, "ram:TotalPrepaidAmount", amount(totals.prepaid))  # BT-113
    _X.add(summation, "ram:DuePayableAmount", amount(totals.payable))  # BT-115
