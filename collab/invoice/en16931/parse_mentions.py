"""What an imported invoice says beyond its amounts that the document now holds: the VAT
exemption reasons (BT-120/BT-121) of its breakdowns, the delivery (BG-13/BG-15) and the nature
of the operations (a French mention of 2026). The mirror of `mapping` for those fields; see
`parse_document` for the whole import."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from collab.invoice.categories import EXEMPT_CATEGORIES
from collab.invoice.document import HEADER, LINE
from collab.invoice.en16931.french import BUSINESS_PROCESS, OPERATIONS_NOTE
from collab.invoice.en16931.parse_read import ReadDelivery, ReadInvoice, ReadVat, decimal
from collab.shape import field_in

__all__ = ["delivery", "exemptions", "operations"]

_BY_PROCESS: Final = {code: nature for nature, code in BUSINESS_PROCESS.items()}
_BY_NOTE: Final = {text: nature for nature, text in OPERATIONS_NOTE.items()}


def operations(read: ReadInvoice) -> tuple[str, str]:
    """The nature of the operations and the BG-1 note that states it ("" when none does).

    CII carries it in BT-23 as the French billing frame (B1, S1, M1; the digit says how it is
    paid, which the document does not hold); UBL only in the note Cofacture's exports write,
    which is then not kept as a note (the export writes it again from the nature)."""
    stated = read.process.upper()
    nature = _BY_PROCESS.get(stated[:1] + "1", "") if len(stated) == 2 else ""
    for _subject, text in read.notes:
        if text in _BY_NOTE and (not nature or _BY_NOTE[text] == nature):
            return _BY_NOTE[text], text
    return nature, ""


def delivery(read: ReadInvoice, add: Callable[[str], None]) -> dict[str, Any]:
    """`invoice.delivery` from BG-13, or {} when it names no place of its own.

    A deliver-to address holding only the buyer's country is what the exports write for an
    intra-community supply when the document has none (BR-IC-12): it is not kept."""
    found: ReadDelivery = read.delivery
    fields = field_in(HEADER, ("delivery",))
    address: dict[str, str] = {}
    line2 = ", ".join(part for part in (found.line2, found.line3) if part)
    for key, value in (
        ("line1", found.line1),
        ("line2", line2),
        ("postcode", found.postcode),
        ("city", found.city),
        ("country", found.country.upper()),
    ):
        if value := " ".join(value.split()):
            limit = field_in(fields, ("address", key)) if fields is not None else None
            address[key] = value[: limit.max_length if limit else 200]
    name = " ".join(found.name.split())
    if not name and set(address) <= {"country"}:
        if address and address["country"] != read.customer.country.upper():
            return {"address": address}
        return {}
    if not address.get("country"):
        add("BG-15 deliver-to address without its country (BT-80): the draft asks for it")
    result: dict[str, Any] = {"address": address} if address else {}
    if name:
        result["name"] = name[:200]
    return result


def exemptions(vat: tuple[ReadVat, ...], rows: list[dict[str, Any]]) -> None:
    """BT-120 and BT-121 of each exempt breakdown onto its lines (the document holds them per
    line, `categories.exemption_of` gathers them back per (category, rate))."""
    reason_limit = _limit("exemption_reason", 300)
    code_limit = _limit("exemption_code", 30)
    for group in vat:
        category = group.category.upper()
        if category not in EXEMPT_CATEGORIES or not (
            group.exemption_reason or group.exemption_code
        ):
            continue
        rate = _rate(group.rate)
        for row in rows:
            if row.get("tax_category") == category and _rate(str(row.get("tax_rate"))) == rate:
                if group.exemption_reason:
                    row["exemption_reason"] = group.exemption_reason[:reason_limit]
                if group.exemption_code:
                    row["exemption_code"] = group.exemption_code.upper()[:code_limit]


def _rate(text: str) -> Decimal:
    return (decimal(text or "0") or Decimal(0)).normalize()


def _limit(key: str, default: int) -> int:
    field = field_in(LINE, (key,))
    return field.max_length if field is not None and field.max_length else default
