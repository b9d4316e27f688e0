"""The words and number formats of the PDF for people, in English and French.

Only presentation: every figure printed comes from the semantic model as the money engine
computed it; this module turns a `Decimal` or a `date` into text, never into another number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final, Literal

Language = Literal["en", "fr"]
LANGUAGES: Final = ("en", "fr")

LABELS: Final[Mapping[Language, Mapping[str, str]]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "corrective_invoice": "Corrective invoice",
        "prepayment_invoice": "Prepayment invoice",
        "draft": "DRAFT",
        "draft_note": "Draft: not a valid invoice, it has no number yet.",
        "number": "Number",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "buyer_reference": "Your reference",
        "preceding": "Credits invoice",
        "preceding_corrected": "Corrects invoice",
        "preceding_other": "Preceding invoice",
        "seller": "From",
        "buyer": "Bill to",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_id": "VAT number",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "vat": "VAT",
        "amount": "Amount",
        "line_discount": "Discount",
        "line_charge": "Charge",
        "document_allowance": "Discount",
        "document_charge": "Charge",
        "vat_summary": "VAT summary",
        "category": "Category",
        "rate": "Rate",
        "base": "Taxable amount",
        "vat_amount": "VAT",
        "line_total": "Sum of lines",
        "allowances": "Discounts",
        "charges": "Charges",
        "net": "Total excl. VAT",
        "tax": "Total VAT",
        "gross": "Total incl. VAT",
        "prepaid": "Already paid",
        "rounding": "Rounding",
        "due": "Amount due",
        "payment": "Payment",
        "payment_terms": "Payment terms",
        "bank_transfer": "Bank transfer",
        "iban": "IBAN",
        "bic": "BIC",
        "account_name": "Account holder",
        "remittance": "Reference",
        "qr_hint": "Scan with your banking app to pay by SEPA transfer.",
        "notes": "Notes",
        "legal": "Legal mentions",
        "late_payment": "Late payment penalties: {rate} % a year.",
        "recovery": "Fixed compensation for recovery costs in case of late payment: {amount}.",
        "exemption": "VAT exemption",
        "deliver_to": "Deliver to",
        "operations": "Nature of operations: {nature}",
        "operations_goods": "supply of goods",
        "operations_services": "supply of services",
        "operations_mixed": "supply of goods and services",
        "vat_on_debits": "VAT payable on debits.",
        "colon": ":",
    },
    "fr": {
        "invoice": "Facture",
        "credit_note": "Avoir",
        "corrective_invoice": "Facture rectificative",
        "prepayment_invoice": "Facture d'acompte",
        "draft": "BROUILLON",
        "draft_note": "Brouillon : ce n'est pas une facture, elle n'a pas encore de numéro.",
        "number": "Numéro",
        "issue_date": "Date d'émission",
        "due_date": "Date d'échéance",
        "buyer_reference": "Votre référence",
        "preceding": "Avoir sur la facture",
        "preceding_corrected": "Rectifie la facture",
        "preceding_other": "Facture précédente",
        "seller": "Émetteur",
        "buyer": "Client",
        "siren": "SIREN",
        "siret": "SIRET",
        "vat_id": "N° TVA intracommunautaire",
        "description": "Désignation",
        "quantity": "Qté",
        "unit": "Unité",
        "unit_price": "Prix unitaire HT",
        "vat": "TVA",
        "amount": "Montant HT",
        "line_discount": "Remise",
        "line_charge": "Frais",
        "document_allowance": "Remise",
        "document_charge": "Frais",
        "vat_summary": "Récapitulatif de la TVA",
        "category": "Catégorie",
        "rate": "Taux",
        "base": "Base HT",
        "vat_amount": "TVA",
        "line_total": "Total des lignes HT",
        "allowances": "Remises",
        "charges": "Frais",
        "net": "Total HT",
        "tax": "Total TVA",
        "gross": "Total TTC",
        "prepaid": "Déjà payé",
        "rounding": "Arrondi",
        "due": "Net à payer",
        "payment": "Paiement",
        "payment_terms": "Conditions de paiement",
        "bank_transfer": "Virement bancaire",
        "iban": "IBAN",
        "bic": "BIC",
        "account_name": "Titulaire du compte",
        "remittance": "Référence",
        "qr_hint": "Scannez avec votre application bancaire pour payer par virement SEPA.",
        "notes": "Notes",
        "legal": "Mentions légales",
        "late_payment": "Pénalités de retard : taux annuel de {rate} %.",
        "recovery": (
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : "
            "{amount} (art. L441-10 du Code de commerce)."
        ),
        "exemption": "Exonération de TVA",
        "deliver_to": "Adresse de livraison",
        "operations": "Nature des opérations\u00a0: {nature}",
        "operations_goods": "livraisons de biens",
        "operations_services": "prestations de services",
        "operations_mixed": "livraisons de biens et prestations de services",
        # The wording of CGI annex III art. 77 (the option must be mentioned on invoices).
        "vat_on_debits": "Option pour le paiement de la taxe d'après les débits.",
        "colon": "\u00a0:",
    },
}

# The stand-in exemption texts of the mapping (collab.invoice.en16931.mapping.EXEMPTIONS), in
# French; a reason typed by the user is printed as typed.
_EXEMPTIONS_FR: Final = {
    "Exempt from VAT": "Exonération de TVA",
    "Reverse charge": "Autoliquidation",
    "Intra-Community supply": "Livraison intracommunautaire exonérée (art. 262 ter I du CGI)",
    "Export outside the EU": "Exportation hors UE exonérée (art. 262 I du CGI)",
    "Not subject to VAT": "Hors du champ d'application de la TVA",
}
_MONTHS: Final[Mapping[Language, tuple[str, ...]]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}
# Grouping and decimal marks; French groups with a no-break space so an amount never wraps.
_MARKS: Final[Mapping[Language, tuple[str, str]]] = {"en": (",", "."), "fr": ("\u00a0", ",")}


def number(value: Decimal, lang: Language) -> str:
    """`value` as written in `lang`, with exactly the digits it carries (12.50 stays 12.50)."""
    group, point = _MARKS[lang]
    sign, digits = ("-", -value) if value < 0 else ("", value)
    whole, _, fraction = f"{digits:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{point + fraction if fraction else ''}"


def money(value: Decimal, currency: str, lang: Language) -> str:
    return f"{number(value, lang)}\u00a0{currency}"


def percent(value: Decimal | None, lang: Language) -> str:
    """A VAT rate as entered ("20", "5.5"), with its trailing zeros dropped ("20.00" -> "20")."""
    if value is None:
        return "—"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{number(Decimal(text), lang)}\u00a0%"


def long_date(value: date | None, lang: Language) -> str:
    if value is None:
        return ""
    month = _MONTHS[lang][value.month - 1]
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def exemption(text: str, lang: Language) -> str:
    return _EXEMPTIONS_FR.get(text, text) if lang == "fr" else text
