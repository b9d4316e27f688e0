"""What the PDF templates print: the semantic invoice laid out as text, in one language.

Every figure comes from the `SemanticInvoice` the XML is written from (the money engine's,
through `to_semantic`); here they only become text. The legal mentions come from the seller
profile stamped with the invoice (the mapping turned them into English notes for the XML; the
PDF words them in its own language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from collab.invoice import creditor_reference
from collab.invoice.en16931 import SemanticInvoice
from collab.invoice.en16931.french import mention_notes
from collab.invoice.en16931.model import (
    CORRECTIVE,
    CREDIT_NOTE,
    PREPAYMENT,
    Address,
    Delivery,
    DocumentAllowance,
    DocumentCharge,
    LineAllowance,
    LineCharge,
    Party,
)
from server.exports import epc
from server.exports.labels import (
    LABELS,
    Language,
    exemption,
    long_date,
    money,
    number,
    percent,
)

DEFAULT_COLOR: Final = "#1f4e79"
_COLOR: Final = re.compile(r"^#[0-9a-fA-F]{6}$")
# A logo is an image carried inside the document (no URL is ever fetched while rendering).
_LOGO: Final = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)(;base64)?,", re.I)
_LOGO_MAX: Final = 512 * 1024  # characters of data URI: a logo, not a photo album
# The title by BT-3 (else "invoice"), and how BG-3 is named: what a credit note credits, what a
# corrective invoice corrects, and on any other invoice a plain reference (collab/invoice/
# invoice_type.py says why every type may carry one).
_TITLES: Final = {
    CREDIT_NOTE: "credit_note",
    CORRECTIVE: "corrective_invoice",
    PREPAYMENT: "prepayment_invoice",
}
_PRECEDING: Final = {CREDIT_NOTE: "preceding", CORRECTIVE: "preceding_corrected"}


@dataclass(frozen=True, slots=True)
class Branding:
    """The organization's look: a logo (an image data URI) and an accent colour (#rrggbb).
    Either may be missing; invalid values are ignored rather than rendered."""

    logo: str = ""
    color: str = ""

    def safe_color(self) -> str:
        return self.color if _COLOR.match(self.color or "") else DEFAULT_COLOR

    def safe_logo(self) -> str:
        logo = self.logo or ""
        return logo if len(logo) <= _LOGO_MAX and _LOGO.match(logo) else ""


def context(
    invoice: SemanticInvoice,
    *,
    seller: Mapping[str, Any],
    lang: Language,
    draft: bool,
    branding: Branding,
) -> dict[str, Any]:
    """The template's variables; `seller` is the profile the invoice was mapped with."""
    words = LABELS[lang]
    currency = invoice.currency

    def cash(value: Decimal) -> str:
        return money(value, currency, lang)

    totals = invoice.totals
    # BT-107 and BT-108 are listed item by item ("allowances" below), between BT-106 and BT-109.
    rows = [
        ("net", totals.tax_exclusive, True),
        ("tax", totals.tax_total, True),
        ("gross", totals.tax_inclusive, True),
        ("prepaid", -totals.prepaid, bool(totals.prepaid)),
        ("rounding", totals.rounding, bool(totals.rounding)),
    ]
    return {
        "lang": lang,
        "t": words,
        "draft": draft,
        "title": words[_TITLES.get(invoice.type_code, "invoice")],
        "preceding_label": words[_PRECEDING.get(invoice.type_code, "preceding_other")],
        "number": "" if draft else invoice.number,
        "issue_date": long_date(invoice.issue_date, lang),
        "due_date": long_date(invoice.due_date, lang),
        "buyer_reference": invoice.buyer_reference,
        "preceding": [
            f"{p.number} ({long_date(p.issue_date, lang)})" if p.issue_date else p.number
            for p in invoice.preceding
        ],
        "color": branding.safe_color(),
        "logo": branding.safe_logo(),
        "seller": _party(invoice.seller, words),
        "buyer": _party(invoice.buyer, words),
        "delivery": _delivery(invoice.delivery),
        "operations": (
            words["operations"].format(nature=words[f"operations_{invoice.operations}"])
            if invoice.operations
            else ""
        ),
        "lines": [
            {
                "name": line.name,
                "quantity": number(line.quantity, lang),
                "unit": line.unit,
                "price": number(line.net_price, lang),
                "rate": percent(line.rate, lang) if line.rate is not None else line.category,
                "amount": number(line.net_amount, lang),
                "adjustments": [_line_adjustment(a, words, lang) for a in line.adjustments],
            }
            for line in invoice.lines
        ],
        "line_total": (words["line_total"], cash(totals.line_total)),
        "allowances": [
            {
                "reason": _reason(a, words),
                "rate": percent(a.rate, lang) if a.rate is not None else a.category,
                "amount": cash(a.amount if isinstance(a, DocumentCharge) else -a.amount),
            }
            for a in invoice.adjustments
        ],
        "vat": [
            {
                "category": group.category,
                "rate": percent(group.rate, lang),
                "base": cash(group.base),
                "amount": cash(group.amount),
                "exemption": exemption(group.exemption_reason, lang),
                "code": group.exemption_code,
            }
            for group in invoice.vat_breakdown
        ],
        "totals": [(words[key], cash(value)) for key, value, shown in rows if shown],
        "due": (words["due"], cash(totals.payable)),
        "currency": currency,
        "payment_terms": invoice.payment_terms,
        # The French mentions' notes are worded in the PDF's language instead (below).
        "notes": [
            note.text
            for note in invoice.notes
            if note.subject is None
            and note not in mention_notes(invoice.operations, invoice.vat_on_debits)
        ],
        "mentions": ([words["vat_on_debits"]] if invoice.vat_on_debits else [])
        + _mentions(seller, words, currency, lang),
        "bank": _bank(invoice, draft),
    }


def _reason(
    adjustment: DocumentAllowance | DocumentCharge | LineAllowance | LineCharge,
    words: Mapping[str, str],
) -> str:
    """The reason as written on the row; the header and line discounts (no row) and a row
    with a reason code only get the word of the PDF's language."""
    charge = isinstance(adjustment, DocumentCharge | LineCharge)
    line = isinstance(adjustment, LineAllowance | LineCharge)
    if adjustment.reason and adjustment.source_id:
        return adjustment.reason
    if line:
        return words["line_charge" if charge else "line_discount"]
    return words["document_charge" if charge else "document_allowance"]


def _line_adjustment(
    adjustment: LineAllowance | LineCharge, words: Mapping[str, str], lang: Language
) -> str:
    """A line allowance or charge as text: "Discount 10 % -12.00" (a minus sign, U+2212)."""
    sign = "+" if isinstance(adjustment, LineCharge) else "\u2212"
    rate = f"{percent(adjustment.percent, lang)} " if adjustment.percent is not None else ""
    return f"{_reason(adjustment, words)} {rate}{sign}{number(adjustment.amount, lang)}"


def _party(party: Party, words: Mapping[str, str]) -> dict[str, Any]:
    legal = party.legal_id
    return {
        "name": party.name,
        "address": _address_lines(party.address),
        "legal": (
            f"{words['siret' if legal.scheme == '0009' else 'siren']} {legal.value}"
            if legal
            else ""
        ),
        "vat_id": f"{words['vat_id']} {party.vat_id}" if party.vat_id else "",
        "email": party.email,
    }


def _delivery(delivery: Delivery | None) -> dict[str, Any] | None:
    """The deliver-to party as the document states it; not the country alone that stands in
    on an intra-community supply (the buyer's address already says it)."""
    if delivery is None or (delivery.address is None and not delivery.name):
        return None
    lines = _address_lines(delivery.address) if delivery.address is not None else []
    return {"name": delivery.name, "address": lines}


def _address_lines(address: Address) -> list[str]:
    town = " ".join(part for part in (address.postcode, address.city) if part)
    return [part for part in (address.line1, address.line2, town, address.country) if part]


def _mentions(
    seller: Mapping[str, Any], words: Mapping[str, str], currency: str, lang: Language
) -> list[str]:
    """Code de commerce L441-10: the late-payment penalty rate and the fixed recovery
    indemnity, as the seller profile states them; its other mentions as written."""
    stated = seller.get("legal_mentions") or {}
    found: list[str] = []
    if rate := _decimal(stated.get("late_payment_rate")):
        found.append(words["late_payment"].format(rate=number(rate, lang)))
    if amount := _decimal(stated.get("recovery_indemnity")):
        found.append(words["recovery"].format(amount=money(amount, currency, lang)))
    for name in ("early_payment_discount", "text"):
        if isinstance(text := stated.get(name), str) and text.strip():
            found.append(text.strip())
    return found


def _bank(invoice: SemanticInvoice, draft: bool) -> dict[str, str] | None:
    """BG-16 as the customer reads it, with the EPC QR code when the invoice is in euros and
    something is to be paid."""
    pay = invoice.payment
    if pay is None or not pay.iban:
        return None
    remittance = "" if draft else pay.remittance
    # An issued invoice's remittance is its RF creditor reference (ISO 11649): printed in
    # groups of four, and the EPC code's structured reference.
    structured = creditor_reference.is_valid(remittance)
    found = {
        "iban": " ".join(pay.iban[i : i + 4] for i in range(0, len(pay.iban), 4)),
        "bic": pay.bic,
        "account_name": pay.account_name,
        "remittance": creditor_reference.printed(remittance) if structured else remittance,
        "qr": "",
    }
    if invoice.currency == "EUR" and not invoice.is_credit_note:
        transfer = epc.Transfer(
            name=pay.account_name,
            iban=pay.iban,
            amount=invoice.totals.payable,
            text="" if structured else remittance,
            bic=pay.bic,
            reference=remittance if structured else "",
        )
        if (text := epc.payload(transfer)) is not None:
            found["qr"] = epc.svg_data_uri(text)
    return found


def _decimal(value: object) -> Decimal | None:
    try:
        found = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return found if found is not None and found.is_finite() else None
