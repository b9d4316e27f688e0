"""The semantic invoice as OASIS UBL 2.1, Invoice or CreditNote, following Peppol BIS Billing 3.0.

Elements are written in the order the UBL 2.1 XSD declares them; the comments give the business
term each one carries. A credit note differs in its root, its type code and line element names,
and in where its due date goes (UBL's CreditNote has no DueDate: PaymentMeans/PaymentDueDate).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from collab.invoice.en16931.french import vat_point_on_invoice
from collab.invoice.en16931.model import (
    VAT,
    Address,
    Delivery,
    DocumentAllowance,
    DocumentCharge,
    Line,
    LineAllowance,
    LineCharge,
    Party,
    SemanticInvoice,
    VatBreakdown,
)
from collab.invoice.en16931.xmlbuild import Builder, Element, amount, number, serialize

__all__ = ["CUSTOMIZATION", "PROFILE", "to_ubl"]

CUSTOMIZATION: Final = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE: Final = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"  # BT-23
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_ROOT = "urn:oasis:names:specification:ubl:schema:xsd:{}-2"
# Peppol electronic address scheme (EAS) of a SIREN/SIRET, as for the legal identifier.
_ENDPOINT_SCHEMES: Final = {"0002": "0002", "0009": "0009"}


def to_ubl(invoice: SemanticInvoice) -> bytes:
    """The invoice as UBL XML bytes: `Invoice`, or `CreditNote` for type code 381."""
    kind = "CreditNote" if invoice.is_credit_note else "Invoice"
    # The document's namespace is the default one, as the published examples write it.
    x = Builder({"ubl": _ROOT.format(kind), "cac": _CAC, "cbc": _CBC}, default="ubl")
    root = x.root(f"ubl:{kind}")
    x.add(root, "cbc:CustomizationID", CUSTOMIZATION)  # BT-24
    x.add(root, "cbc:ProfileID", PROFILE)  # BT-23
    x.add(root, "cbc:ID", invoice.number)  # BT-1
    x.add(root, "cbc:IssueDate", invoice.issue_date.isoformat())  # BT-2
    if invoice.due_date is not None and not invoice.is_credit_note:
        x.add(root, "cbc:DueDate", invoice.due_date.isoformat())  # BT-9
    x.add(root, f"cbc:{kind}TypeCode", invoice.type_code)  # BT-3
    for note in invoice.notes:  # BG-1: BT-21 as the "#CODE#text" prefix Peppol documents
        x.add(root, "cbc:Note", f"#{note.subject}#{note.text}" if note.subject else note.text)
    x.add(root, "cbc:DocumentCurrencyCode", invoice.currency)  # BT-5
    x.add_if(root, "cbc:BuyerReference", invoice.buyer_reference)  # BT-10
    if vat_point_on_invoice(invoice):  # BT-8, UNTDID 2005 code 3: VAT due at the invoice date
        x.add(x.add(root, "cac:InvoicePeriod"), "cbc:DescriptionCode", "3")
    for preceding in invoice.preceding:  # BG-3
        reference = x.add(x.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        x.add(reference, "cbc:ID", preceding.number)  # BT-25
        if preceding.issue_date is not None:
            x.add(reference, "cbc:IssueDate", preceding.issue_date.isoformat())  # BT-26
    _party(x, x.add(root, "cac:AccountingSupplierParty"), invoice.seller)  # BG-4
    _party(x, x.add(root, "cac:AccountingCustomerParty"), invoice.buyer)  # BG-7
    if invoice.delivery is not None:
        _delivery(x, root, invoice.delivery)
    _payment(x, root, invoice)
    for adjustment in invoice.adjustments:  # BG-20, then BG-21
        _document_adjustment(x, root, adjustment, invoice.currency)
    _taxes(x, root, invoice)
    _totals(x, root, invoice)
    for line in invoice.lines:
        _line(x, root, line, invoice.currency, kind)
    return serialize(root)


def _delivery(x: Builder, root: Element, delivery: Delivery) -> None:
    """BG-13, with the BG-15 deliver-to address and the BT-70 deliver-to party name."""
    element = x.add(root, "cac:Delivery")
    if delivery.date is not None:
        x.add(element, "cbc:ActualDeliveryDate", delivery.date.isoformat())  # BT-72
    if delivery.address is not None or delivery.country:  # BT-75..BT-80
        address = delivery.address or Address(country=delivery.country)
        location = x.add(x.add(element, "cac:DeliveryLocation"), "cac:Address")
        _address(x, location, address, always_country=False)
    if delivery.name:  # BT-70
        party = x.add(element, "cac:DeliveryParty")
        x.add(x.add(party, "cac:PartyName"), "cbc:Name", delivery.name)


def _party(x: Builder, wrapper: Element, party: Party) -> None:
    element = x.add(wrapper, "cac:Party")
    if party.legal_id is not None and party.legal_id.scheme in _ENDPOINT_SCHEMES:  # BT-34/BT-49
        scheme = _ENDPOINT_SCHEMES[party.legal_id.scheme]
        x.add(element, "cbc:EndpointID", party.legal_id.value, schemeID=scheme)
    elif party.email:
        x.add(element, "cbc:EndpointID", party.email, schemeID="EM")
    x.add(x.add(element, "cac:PartyName"), "cbc:Name", party.name)
    _address(x, x.add(element, "cac:PostalAddress"), party.address)  # BG-5 / BG-8
    if party.vat_id:  # BT-31 / BT-48
        scheme = x.add(element, "cac:PartyTaxScheme")
        x.add(scheme, "cbc:CompanyID", party.vat_id)
        x.add(x.add(scheme, "cac:TaxScheme"), "cbc:ID", VAT)
    legal = x.add(element, "cac:PartyLegalEntity")
    x.add(legal, "cbc:RegistrationName", party.name)  # BT-27 / BT-44
    if party.legal_id is not None:  # BT-30 / BT-47
        scheme_id = {"schemeID": party.legal_id.scheme} if party.legal_id.scheme else {}
        x.add(legal, "cbc:CompanyID", party.legal_id.value, **scheme_id)


def _address(
    x: Builder, element: Element, address: Address, *, always_country: bool = True
) -> None:
    """A party's address always names its country (empty: the Schematron says what is
    missing); a deliver-to address without one leaves it out, so BR-57 is the rule reported."""
    x.add_if(element, "cbc:StreetName", address.line1)
    x.add_if(element, "cbc:AdditionalStreetName", address.line2)
    x.add_if(element, "cbc:CityName", address.city)
    x.add_if(element, "cbc:PostalZone", address.postcode)
    if address.country or always_country:
        x.add(x.add(element, "cac:Country"), "cbc:IdentificationCode", address.country)


def _payment(x: Builder, root: Element, invoice: SemanticInvoice) -> None:
    """BG-16 and BT-20; a credit note's due date (BT-9) rides on its payment means."""
    payment = invoice.payment
    credit_due = invoice.due_date if invoice.is_credit_note else None
    if payment is not None or credit_due is not None:
        means = x.add(root, "cac:PaymentMeans")
        x.add(means, "cbc:PaymentMeansCode", payment.means_code if payment else "1")  # BT-81
        if credit_due is not None:
            x.add(means, "cbc:PaymentDueDate", credit_due.isoformat())
        if payment is not None:
            x.add_if(means, "cbc:PaymentID", payment.remittance)  # BT-83
            account = x.add(means, "cac:PayeeFinancialAccount")
            x.add(account, "cbc:ID", payment.iban)  # BT-84
            x.add_if(account, "cbc:Name", payment.account_name)  # BT-85
            if payment.bic:  # BT-86
                x.add(x.add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", payment.bic)
    if invoice.payment_terms:
        x.add(x.add(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)  # BT-20


def _document_adjustment(
    x: Builder, root: Element, adjustment: DocumentAllowance | DocumentCharge, currency: str
) -> None:
    """BG-20 or BG-21, with its VAT category and rate (BT-95/96, BT-102/103)."""
    element = _adjustment(x, root, adjustment, currency)
    category = x.add(element, "cac:TaxCategory")
    x.add(category, "cbc:ID", adjustment.category)  # BT-95 / BT-102
    if adjustment.rate is not None:
        x.add(category, "cbc:Percent", number(adjustment.rate))  # BT-96 / BT-103
    x.add(x.add(category, "cac:TaxScheme"), "cbc:ID", VAT)


def _adjustment(
    x: Builder,
    parent: Element,
    adjustment: DocumentAllowance | DocumentCharge | LineAllowance | LineCharge,
    currency: str,
) -> Element:
    """What allowances and charges share, at either level, in the XSD's order."""
    element = x.add(parent, "cac:AllowanceCharge")
    charge = isinstance(adjustment, DocumentCharge | LineCharge)
    x.add(element, "cbc:ChargeIndicator", "true" if charge else "false")
    x.add_if(element, "cbc:AllowanceChargeReasonCode", adjustment.reason_code)  # BT-98/105/140/145
    x.add_if(element, "cbc:AllowanceChargeReason", adjustment.reason)  # BT-97/104/139/144
    if adjustment.percent is not None:  # BT-94 / BT-101 / BT-138 / BT-143
        x.add(element, "cbc:MultiplierFactorNumeric", number(adjustment.percent))
    x.add(element, "cbc:Amount", amount(adjustment.amount), currencyID=currency)  # BT-92/99/...
    if adjustment.base is not None:  # BT-93 / BT-100 / BT-137 / BT-142
        x.add(element, "cbc:BaseAmount", amount(adjustment.base), currencyID=currency)
    return element


def _taxes(x: Builder, root: Element, invoice: SemanticInvoice) -> None:
    total = x.add(root, "cac:TaxTotal")
    tax = amount(invoice.totals.tax_total)
    x.add(total, "cbc:TaxAmount", tax, currencyID=invoice.currency)  # BT-110
    for group in invoice.vat_breakdown:
        _subtotal(x, total, group, invoice.currency)


def _subtotal(x: Builder, total: Element, group: VatBreakdown, currency: str) -> None:
    """BG-23."""
    subtotal = x.add(total, "cac:TaxSubtotal")
    x.add(subtotal, "cbc:TaxableAmount", amount(group.base), currencyID=currency)  # BT-116
    x.add(subtotal, "cbc:TaxAmount", amount(group.amount), currencyID=currency)  # BT-117
    category = x.add(subtotal, "cac:TaxCategory")
    x.add(category, "cbc:ID", group.category)  # BT-118
    if group.rate is not None:
        x.add(category, "cbc:Percent", number(group.rate))  # BT-119
    x.add_if(category, "cbc:TaxExemptionReasonCode", group.exemption_code)  # BT-121
    x.add_if(category, "cbc:TaxExemptionReason", group.exemption_reason)  # BT-120
    x.add(x.add(category, "cac:TaxScheme"), "cbc:ID", VAT)


def _totals(x: Builder, root: Element, invoice: SemanticInvoice) -> None:
    """BG-22."""
    totals, currency = invoice.totals, invoice.currency
    element = x.add(root, "cac:LegalMonetaryTotal")
    x.add(element, "cbc:LineExtensionAmount", amount(totals.line_total), currencyID=currency)
    x.add(element, "cbc:TaxExclusiveAmount", amount(totals.tax_exclusive), currencyID=currency)
    x.add(element, "cbc:TaxInclusiveAmount", amount(totals.tax_inclusive), currencyID=currency)
    if invoice.allowances:  # BT-107
        allowances = amount(totals.allowance_total)
        x.add(element, "cbc:AllowanceTotalAmount", allowances, currencyID=currency)
    if invoice.charges:  # BT-108
        charges = amount(totals.charge_total)
        x.add(element, "cbc:ChargeTotalAmount", charges, currencyID=currency)
    if totals.prepaid:  # BT-113
        x.add(element, "cbc:PrepaidAmount", amount(totals.prepaid), currencyID=currency)
    if totals.rounding:  # BT-114
        rounding = amount(totals.rounding)
        x.add(element, "cbc:PayableRoundingAmount", rounding, currencyID=currency)
    x.add(element, "cbc:PayableAmount", amount(totals.payable), currencyID=currency)  # BT-115


def _line(x: Builder, root: Element, line: Line, currency: str, kind: str) -> None:
    """BG-25: InvoiceLine / InvoicedQuantity, or CreditNoteLine / CreditedQuantity."""
    element = x.add(root, f"cac:{kind}Line")
    x.add(element, "cbc:ID", line.id)  # BT-126
    quantity = "cbc:CreditedQuantity" if kind == "CreditNote" else "cbc:InvoicedQuantity"
    x.add(element, quantity, number(line.quantity), unitCode=line.unit)  # BT-129 / BT-130
    x.add(element, "cbc:LineExtensionAmount", amount(line.net_amount), currencyID=currency)
    for adjustment in line.adjustments:  # BG-27, then BG-28
        _adjustment(x, element, adjustment, currency)
    item = x.add(element, "cac:Item")
    x.add(item, "cbc:Name", line.name)  # BT-153
    category = x.add(item, "cac:ClassifiedTaxCategory")  # BG-30
    x.add(category, "cbc:ID", line.category)  # BT-151
    if line.rate is not None:
        x.add(category, "cbc:Percent", number(line.rate))  # BT-152
    x.add(x.add(category, "cac:TaxScheme"), "cbc:ID", VAT)
    price = x.add(element, "cac:Price")
    x.add(price, "cbc:PriceAmount", number(line.net_price), currencyID=currency)  # BT-146
    if line.base_quantity is not None:  # BT-149 / BT-150
        x.add(price, "cbc:BaseQuantity", number(line.base_quantity), unitCode=line.unit)
    if line.gross_price is not None:  # BT-147 off BT-148
        charge = x.add(price, "cac:AllowanceCharge")
        x.add(charge, "cbc:ChargeIndicator", "false")
        discount = number(line.price_discount or Decimal(0))
        x.add(charge, "cbc:Amount", discount, currencyID=currency)  # BT-147
        x.add(charge, "cbc:BaseAmount", number(line.gross_price), currencyID=currency)
