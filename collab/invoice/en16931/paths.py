"""Where in the editor an EN 16931 finding belongs: a rule's message and location, turned into
the document field path people fix (or the seller profile's field, or nothing to point at).

Every rule message of the official Schematron names the business terms it is about ("... shall
contain the Seller VAT Identifier (BT-31) ..."); the term that must change is the last one
named that Cofacture holds, so the message is read for its BT numbers, last first. A finding
located inside the n-th invoice line (UBL `cac:InvoiceLine[n]`, CII
`ram:IncludedSupplyChainTradeLineItem[n]`) belongs to that line: the n-th line the export
wrote, whose document id the caller gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

# Business terms of the document header, the customer and the seller profile (SPEC section 2).
HEADER_TERMS: Final = {
    "BT-1": "number",  # the legal number: given at issue
    "BT-2": "invoice.issue_date",
    "BT-5": "invoice.currency",
    "BT-9": "invoice.due_date",
    "BT-10": "invoice.buyer_reference",
    "BT-20": "invoice.payment_terms",
    "BT-22": "invoice.notes",
    "BT-27": "profile.legal_name",
    "BT-30": "profile.siren",
    "BT-31": "profile.vat_id",
    "BT-35": "profile.address.line1",
    "BT-36": "profile.address.line2",
    "BT-37": "profile.address.city",
    "BT-38": "profile.address.postcode",
    "BT-40": "profile.address.country",
    "BG-5": "profile.address",
    "BT-44": "invoice.customer.name",
    "BT-47": "invoice.customer.siren",
    "BT-48": "invoice.customer.vat_id",
    "BT-49": "invoice.customer.email",
    "BT-50": "invoice.customer.address.line1",
    "BT-51": "invoice.customer.address.line2",
    "BT-52": "invoice.customer.address.city",
    "BT-53": "invoice.customer.address.postcode",
    "BT-55": "invoice.customer.address.country",
    "BG-8": "invoice.customer.address",
    "BT-84": "profile.iban",
    "BT-86": "profile.bic",
    "BT-92": "invoice.discount.value",
    "BT-94": "invoice.discount.value",
}
# Business terms of an invoice line, relative to `lines.<id>`.
LINE_TERMS: Final = {
    "BT-129": "quantity",
    "BT-130": "unit",
    "BT-136": "discount.value",
    "BT-138": "discount.value",
    "BT-146": "unit_price",
    "BT-151": "tax_category",
    "BT-152": "tax_rate",
    "BT-153": "description",
}
_TERM = re.compile(r"\b(B[TG]-\d+)\b")
_LINE = re.compile(r"(?:InvoiceLine|CreditNoteLine|IncludedSupplyChainTradeLineItem)\[(\d+)\]")


def field_path(message: str, location: str, line_ids: Sequence[str]) -> str | None:
    """The path a finding points at, or None when it names nothing people can change (a total,
    a code Cofacture writes itself). `line_ids`: the document ids of the lines in the order the
    export wrote them."""
    line = _line_of(location, line_ids)
    for term in reversed(_TERM.findall(message)):
        if line is not None and term in LINE_TERMS:
            return f"lines.{line}.{LINE_TERMS[term]}"
        if term in HEADER_TERMS:
            return HEADER_TERMS[term]
    return None if line is None else f"lines.{line}"


def _line_of(location: str, line_ids: Sequence[str]) -> str | None:
    found = _LINE.search(location)
    if found is None:
        return None
    index = int(found.group(1)) - 1  # XPath counts from 1
    return line_ids[index] if 0 <= index < len(line_ids) else None
