"""What the CII and UBL readers find in an e-invoice, before it becomes a Cofacture document.

The readers (`parse_ubl`, `parse_cii`) only locate business terms in their syntax and copy their
text; `parse_document` decides what the document can hold. Numbers stay text here: an imported
invoice may be imperfect, and deciding what to do with an unreadable figure is the builder's
job, not the reader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from collab.invoice.en16931.model import DISCOUNT_REASON, DISCOUNT_REASON_CODE

Element = Any  # an lxml element; lxml has no stubs we depend on

# A plain decimal as both syntaxes write them ("12", "-3.50", ".5"): no exponent, no thousands
# separator. Longer than the document's numeric fields (40 characters) is not a figure we keep.
_DECIMAL: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
MAX_NUMBER_LENGTH: Final = 40


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An allowance or a charge: BG-20 / BG-21 on the document, BG-27 / BG-28 on a line."""

    charge: bool  # BT-... ChargeIndicator: true for a charge
    amount: str  # BT-92 / BT-99 / BT-136 / BT-141
    base: str = ""  # BT-93 / BT-100 / BT-137 / BT-142
    percent: str = ""  # BT-94 / BT-101 / BT-138 / BT-143
    category: str = ""  # BT-95 / BT-102 (document level only)
    rate: str = ""  # BT-96 / BT-103 (document level only)
    reason: str = ""  # BT-97 / BT-104 / BT-139 / BT-144
    reason_code: str = ""  # BT-98 / BT-105 / BT-140 / BT-145


def is_plain_discount(adjustment: Adjustment) -> bool:
    """An allowance saying no more than a `discount` field does: what our own export writes
    for a header or line discount ("Discount", UNTDID 5189 code 95), or one with no reason."""
    return (
        not adjustment.charge
        and adjustment.reason in ("", DISCOUNT_REASON)
        and adjustment.reason_code in ("", DISCOUNT_REASON_CODE)
    )


@dataclass(frozen=True, slots=True)
class Customer:
    """BG-7 buyer and its BG-8 address, as far as the document holds them."""

    name: str = ""  # BT-44
    email: str = ""  # BT-49 (scheme EM) or BT-58 (contact e-mail)
    line1: str = ""  # BT-50
    line2: str = ""  # BT-51
    line3: str = ""  # BT-163 (not held: reported)
    city: str = ""  # BT-52
    postcode: str = ""  # BT-53
    subdivision: str = ""  # BT-54 (not held: reported)
    country: str = ""  # BT-55
    vat_id: str = ""  # BT-48
    legal_id: str = ""  # BT-47
    legal_scheme: str = ""  # its ISO 6523 ICD: 0002 SIREN, 0009 SIRET


@dataclass(frozen=True, slots=True)
class ReadLine:
    """BG-25 invoice line, numbers as written."""

    position: str  # BT-126
    quantity: str  # BT-129
    unit: str  # BT-130
    net_amount: str  # BT-131
    net_price: str  # BT-146
    base_quantity: str  # BT-149
    category: str  # BT-151
    rate: str  # BT-152
    name: str  # BT-153
    description: str  # BT-154
    adjustments: tuple[Adjustment, ...]  # BG-27, BG-28
    dropped: tuple[str, ...]  # the business terms present on the line the document cannot hold
    gross_price: str = ""  # BT-148
    price_discount: str = ""  # BT-147


@dataclass(frozen=True, slots=True)
class ReadVat:
    """BG-23 VAT breakdown, one per (category, rate)."""

    category: str  # BT-118
    rate: str  # BT-119
    base: str  # BT-116
    amount: str  # BT-117
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121


@dataclass(frozen=True, slots=True)
class ReadDelivery:
    """BG-13 delivery information with its BG-15 deliver-to address, as written."""

    name: str = ""  # BT-70
    location_id: str = ""  # BT-71 (not held: reported)
    date: str = ""  # BT-72, ISO (not held: reported)
    line1: str = ""  # BT-75
    line2: str = ""  # BT-76
    line3: str = ""  # BT-165
    city: str = ""  # BT-77
    postcode: str = ""  # BT-78
    subdivision: str = ""  # BT-79 (not held: reported)
    country: str = ""  # BT-80


@dataclass(frozen=True, slots=True)
class ReadTotals:
    """BG-22 document totals, as written ("" when absent)."""

    line_total: str = ""  # BT-106
    allowance_total: str = ""  # BT-107
    charge_total: str = ""  # BT-108
    tax_exclusive: str = ""  # BT-109
    tax_total: str = ""  # BT-110
    tax_inclusive: str = ""  # BT-112
    prepaid: str = ""  # BT-113
    rounding: str = ""  # BT-114
    payable: str = ""  # BT-115


@dataclass(frozen=True, slots=True)
class ReadInvoice:
    """One e-invoice as a reader found it."""

    syntax: str  # "ubl" | "cii"
    number: str  # BT-1
    type_code: str  # BT-3
    issue_date: str  # BT-2, ISO (the CII reader converts format 102)
    due_date: str  # BT-9, ISO
    currency: str  # BT-5
    buyer_reference: str  # BT-10
    payment_terms: str  # BT-20
    notes: tuple[tuple[str, str], ...]  # BG-1: (BT-21 subject code, BT-22 text)
    customer: Customer  # BG-7
    adjustments: tuple[Adjustment, ...]  # BG-20, BG-21
    vat: tuple[ReadVat, ...]  # BG-23
    totals: ReadTotals  # BG-22
    lines: tuple[ReadLine, ...]  # BG-25
    dropped: tuple[str, ...]  # the business terms present that the document cannot hold
    delivery: ReadDelivery = ReadDelivery()  # BG-13
    process: str = ""  # BT-23 business process type (CII: the French "cadre de facturation")
    preceding: tuple[tuple[str, str], ...] = ()  # BG-3: (BT-25 number, BT-26 ISO date or "")


class Finder:
    """XPath over one syntax's namespace prefixes, answering text with whitespace trimmed."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    def all(self, element: Element, path: str) -> list[Element]:
        found: list[Element] = element.findall(path, self.namespaces)
        return found

    def one(self, element: Element, path: str) -> Element | None:
        return element.find(path, self.namespaces)

    def text(self, element: Element | None, path: str) -> str:
        if element is None:
            return ""
        found = element.find(path, self.namespaces)
        return (found.text or "").strip() if found is not None else ""

    def attribute(self, element: Element | None, path: str, name: str) -> str:
        found = None if element is None else element.find(path, self.namespaces)
        return (found.get(name) or "").strip() if found is not None else ""

    def present(self, element: Element, table: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        """The labels of `table`'s (path, label) rows whose path has a match with some text."""
        return tuple(
            label
            for path, label in table
            if any("".join(e.itertext()).strip() for e in self.all(element, path))
        )


def decimal(text: str) -> Decimal | None:
    """A plain decimal written in the XML, or None when `text` is not one."""
    if len(text) > MAX_NUMBER_LENGTH or not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # unreachable after the pattern; kept so no text can raise
        return None


class UnreadableInvoice(ValueError):
    """The file is not an e-invoice Cofacture can read (not XML, not UBL or CII, unsafe, or
    without what every invoice has); the message says which, for the person who sent it."""
