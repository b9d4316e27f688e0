"""EN 16931, the European e-invoicing standard: the invoice as its semantic model (`mapping`),
written as UN/CEFACT CII (`cii`) and OASIS UBL 2.1 / Peppol BIS 3 (`ubl`). Pure: no I/O."""

from collab.invoice.en16931.cii import to_cii
from collab.invoice.en16931.mapping import MappingError, to_semantic
from collab.invoice.en16931.model import CREDIT_NOTE, INVOICE, SemanticInvoice
from collab.invoice.en16931.paths import Sources, sources_of
from collab.invoice.en16931.ubl import to_ubl

__all__ = [
    "CREDIT_NOTE",
    "INVOICE",
    "MappingError",
    "SemanticInvoice",
    "Sources",
    "sources_of",
    "to_cii",
    "to_semantic",
    "to_ubl",
]
