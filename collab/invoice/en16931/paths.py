"""Where in the editor an EN 16931 finding belongs: a rule's message and location, turned into
the document field path people fix (or the seller profile's field, or nothing to point at).

Every rule message of the official Schematron names the business terms it is about ("... shall
contain the Seller VAT Identifier (BT-31) ..."); the term that must change is the last one
named that Cofacture holds, so the message is read for its BT numbers, last first. A finding
located inside the n-th invoice line (UBL `cac:InvoiceLine[n]`, CII
`ram:IncludedSupplyChainTradeLineItem[n]`) belongs to that line: the n-th line the export
wrote, whose document id the caller gives. One located inside the k-th allowance or charge
(UBL `cac:AllowanceCharge[k]`, CII `ram:SpecifiedTradeAllowanceCharge[k]`, of the document or
of a line) belongs to the `adjustments` row the export wrote there, when it wrote one (the
header and line `discount` have no row: their rules point at the discount, as before).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from collab.invoice.en16931.model import SemanticInvoice

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
# Business terms of an allowance or charge (BG-20, BG-21, BG-27, BG-28), relative to
# `adjustments.<row id>`.
ADJUSTMENT_TERMS: Final = {
    **dict.fromkeys(("BT-92", "BT-99", "BT-136", "BT-141"), "amount"),
    **dict.fromkeys(("BT-93", "BT-100", "BT-137", "BT-142"), "base"),
    **dict.fromkeys(("BT-94", "BT-101", "BT-138", "BT-143"), "percent"),
    **dict.fromkeys(("BT-95", "BT-102"), "tax_category"),
    **dict.fromkeys(("BT-96", "BT-103"), "tax_rate"),
    **dict.fromkeys(("BT-97", "BT-104", "BT-139", "BT-144"), "reason"),
    **dict.fromkeys(("BT-98", "BT-105", "BT-140", "BT-145"), "reason_code"),
}
# Rules whose field is not the last term they name: "a reason or a reason code" is fixed by
# writing the reason (where the editor reports `reason_required`); the code list rules name
# no term at all.
ADJUSTMENT_RULES: Final = {
    **dict.fromkeys(
        ("BR-33", "BR-38", "BR-42", "BR-44", "BR-CO-21", "BR-CO-22", "BR-CO-23", "BR-CO-24"),
        "reason",
    ),
    **dict.fromkeys(("BR-CL-19", "BR-CL-20"), "reason_code"),
}


@dataclass(frozen=True, slots=True)
class Sources:
    """Where each element the export wrote came from: the document ids of the lines, of the
    document's allowances then charges, and of each line's allowances then charges, in the
    order written ("" where no `adjustments` row stands behind the element)."""

    lines: tuple[str, ...] = ()
    adjustments: tuple[str, ...] = ()
    line_adjustments: tuple[tuple[str, ...], ...] = ()


def sources_of(invoice: SemanticInvoice) -> Sources:
    """The `Sources` of what the CII and UBL writers write from `invoice` (both write the
    allowances before the charges, at both levels)."""
    return Sources(
        lines=tuple(line.source_id for line in invoice.lines),
        adjustments=tuple(a.source_id for a in invoice.adjustments),
        line_adjustments=tuple(
            tuple(a.source_id for a in line.adjustments) for line in invoice.lines
        ),
    )


_TERM = re.compile(r"\b(B[TG]-\d+)\b")
_LINE = re.compile(r"(?:InvoiceLine|CreditNoteLine|IncludedSupplyChainTradeLineItem)\[(\d+)\]")
# Saxon qualifies each step of a location: "/*:Invoice[namespace-uri()='urn:...'][1]".
_NAMESPACE = re.compile(r"\[namespace-uri\(\)='[^']*'\]")
_RULE = re.compile(r"^\[([A-Za-z0-9-]+)\]")
# The k-th allowance or charge of the document (UBL: a child of the root; CII: of the header
# settlement) or of a line (UBL: a child of the line, not of its price; CII: of the line's
# settlement, where the price's own is an AppliedTradeAllowanceCharge).
_DOCUMENT_ADJUSTMENT = re.compile(
    r"^/\*:(?:Invoice|CreditNote)\[1\]/\*:AllowanceCharge\[(\d+)\]"
    r"|ApplicableHeaderTradeSettlement\[1\]/\*:SpecifiedTradeAllowanceCharge\[(\d+)\]"
)
_LINE_ADJUSTMENT = re.compile(
    r"(?:InvoiceLine|CreditNoteLine)\[\d+\]/\*:AllowanceCharge\[(\d+)\]"
    r"|SpecifiedLineTradeSettlement\[1\]/\*:SpecifiedTradeAllowanceCharge\[(\d+)\]"
)


def field_path(message: str, location: str, sources: Sequence[str] | Sources) -> str | None:
    """The path a finding points at, or None when it names nothing people can change (a total,
    a code Cofacture writes itself). `sources`: what the export wrote from where
    (`sources_of`); a plain sequence is the document ids of the lines, in the order written."""
    if not isinstance(sources, Sources):
        sources = Sources(lines=tuple(sources))
    location = _NAMESPACE.sub("", location)
    line = _line_of(location, sources.lines)
    row = _adjustment_of(location, sources)
    if row:
        found = _RULE.match(message)
        if found is not None and found.group(1) in ADJUSTMENT_RULES:
            return f"adjustments.{row}.{ADJUSTMENT_RULES[found.group(1)]}"
    for term in reversed(_TERM.findall(message)):
        if row and term in ADJUSTMENT_TERMS:
            return f"adjustments.{row}.{ADJUSTMENT_TERMS[term]}"
        if line is not None and term in LINE_TERMS:
            return f"lines.{line}.{LINE_TERMS[term]}"
        if term in HEADER_TERMS:
            return HEADER_TERMS[term]
    if row:
        return f"adjustments.{row}"
    return None if line is None else f"lines.{line}"


def _adjustment_of(location: str, sources: Sources) -> str:
    """The `adjustments` row id behind the allowance or charge `location` is in, or ""."""
    found = _LINE_ADJUSTMENT.search(location)
    if found is not None:
        line = _LINE.search(location)
        index = int(line.group(1)) - 1 if line is not None else -1
        if not 0 <= index < len(sources.line_adjustments):
            return ""
        return _nth(sources.line_adjustments[index], found.group(1) or found.group(2))
    found = _DOCUMENT_ADJUSTMENT.search(location)
    if found is not None:
        return _nth(sources.adjustments, found.group(1) or found.group(2))
    return ""


def _nth(ids: Sequence[str], position: str) -> str:
    index = int(position) - 1  # XPath counts from 1
    return ids[index] if 0 <= index < len(ids) else ""


def _line_of(location: str, line_ids: Sequence[str]) -> str | None:
    found = _LINE.search(location)
    if found is None:
        return None
    index = int(found.group(1)) - 1  # XPath counts from 1
    return line_ids[index] if 0 <= index < len(line_ids) else None
