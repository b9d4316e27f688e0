"""The words of the payment page, in English and French (the seller's language, as its PDFs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "title": "Invoice {number}",
        "from": "From",
        "vat_id": "VAT number",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "amount_due": "Amount due",
        "paid_so_far": "Paid so far",
        "outstanding": "Outstanding",
        "pdf": "Download the invoice (PDF)",
        "paid": "This invoice is paid. Thank you!",
        "cancelled": "This invoice was cancelled by a credit note: there is nothing to pay.",
        "card_done": "Thank you: your card payment is being confirmed. This page will say "
        "when it is recorded.",
        "transfer": "Pay by bank transfer",
        "beneficiary": "Beneficiary",
        "iban": "IBAN",
        "bic": "BIC",
        "amount": "Amount",
        "reference": "Reference",
        "reference_rf": "Structured reference (RF): please quote it exactly",
        "reference_number": "Please quote the invoice number",
        "qr": "Scan with your banking app to fill in the transfer (EPC QR code)",
        "no_iban": "The seller gave no bank account: please contact them to pay.",
        "card": "Pay by card",
        "card_button": "Pay {amount} by card",
    },
    "fr": {
        "title": "Facture {number}",
        "from": "Émetteur",
        "vat_id": "N° TVA",
        "issue_date": "Date d'émission",
        "due_date": "Date d'échéance",
        "amount_due": "Montant dû",
        "paid_so_far": "Déjà payé",
        "outstanding": "Reste à payer",
        "pdf": "Télécharger la facture (PDF)",
        "paid": "Cette facture est réglée. Merci !",
        "cancelled": "Cette facture a été annulée par un avoir : il n'y a rien à payer.",
        "card_done": "Merci : votre paiement par carte est en cours de confirmation. Cette page "
        "l'indiquera dès qu'il sera enregistré.",
        "transfer": "Payer par virement",
        "beneficiary": "Bénéficiaire",
        "iban": "IBAN",
        "bic": "BIC",
        "amount": "Montant",
        "reference": "Référence",
        "reference_rf": "Référence structurée (RF) : merci de la reprendre telle quelle",
        "reference_number": "Merci d'indiquer le numéro de facture",
        "qr": "Scannez avec votre application bancaire pour remplir le virement (QR code EPC)",
        "no_iban": "Le vendeur n'a pas indiqué de compte bancaire : contactez-le pour payer.",
        "card": "Payer par carte",
        "card_button": "Payer {amount} par carte",
    },
}


def money(value: str, currency: str, lang: str) -> str:
    """A decimal string as people read it: "1,234.50 EUR", "1 234,50 EUR"."""
    amount = Decimal(value)
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    text = f"{amount:,.{places}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text} {currency}"


def day(value: date | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(value[:10])
    except ValueError:
        return str(value)
    return found.strftime("%d/%m/%Y") if lang == "fr" else found.isoformat()
