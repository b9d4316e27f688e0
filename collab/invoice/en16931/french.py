"""How the French mentions of September 2026 travel in EN 16931, which has no term for two of
them (docs/e-invoices.md, "The French mentions of 2026", gives the sources).

- The nature of the operations becomes the French "cadre de facturation" in BT-23 (business
  process type) of the CII: B1, S1 or M1, an invoice for goods, services or both not yet paid,
  the codes the French rules accept there (FNFE-MPE BR-FR Schematron, rule BR-FR-08). UBL keeps
  Peppol's BT-23, which Peppol BIS 3 fixes; so both syntaxes also state it in a note (BT-22).
- The option for paying VAT on debits is BT-8, VAT point date code "invoice issue date" (UNTDID
  2475 code 5 in CII, UNTDID 2005 code 3 in UBL), on invoices of services; and in every case a
  note with subject TXD (tax declaration) carrying the wording the law asks for (CGI, annex III,
  art. 77: "doivent en faire mention sur les factures").

The delivery address (BG-13/BG-15) and the customer's SIREN (BT-47) have business terms of
their own and are mapped as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from collab.invoice.en16931.model import Note, SemanticInvoice

__all__ = [
    "BUSINESS_PROCESS",
    "OPERATIONS_NOTE",
    "VAT_ON_DEBITS_NOTE",
    "mention_notes",
    "vat_point_on_invoice",
]

# BT-23 per nature, the "1" digit: an invoice to be paid (2 is already paid, 4 a final invoice
# after a prepayment: Cofacture issues neither as such yet).
BUSINESS_PROCESS: Final[Mapping[str, str]] = {"goods": "B1", "services": "S1", "mixed": "M1"}
# The notes are in French: these mentions exist for the French tax administration, which the
# law addresses in its own words.
OPERATIONS_NOTE: Final[Mapping[str, str]] = {
    "goods": "Nature des opérations : livraisons de biens",
    "services": "Nature des opérations : prestations de services",
    "mixed": "Nature des opérations : livraisons de biens et prestations de services",
}
VAT_ON_DEBITS_NOTE: Final = Note("Option pour le paiement de la taxe d'après les débits", "TXD")


def mention_notes(operations: str, vat_on_debits: bool) -> tuple[Note, ...]:
    """The BG-1 notes the mentions add, after the invoice's own notes."""
    notes = [Note(OPERATIONS_NOTE[operations])] if operations in OPERATIONS_NOTE else []
    if vat_on_debits:
        notes.append(VAT_ON_DEBITS_NOTE)
    return tuple(notes)


def vat_point_on_invoice(invoice: SemanticInvoice) -> bool:
    """Whether BT-8 says the VAT falls due at the invoice date. The option only moves the VAT
    point of services (goods are taxed on delivery whatever the option): so not when the
    invoice says it is goods only."""
    return invoice.vat_on_debits and invoice.operations != "goods"
