"""The invoice document (plus what the workflow stamped at issue) as an EN 16931 semantic invoice.

Every amount comes from `collab.invoice.validation.evaluate`, the same money engine that gives
the editor and the API their totals: this module only places those figures in the model. The
allowances and charges (BG-20, BG-21, BG-27, BG-28) are placed by `mapping_allowances`, whose
one derived figure is each VAT group's share of the header discount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from collab.invoice import creditor_reference
from collab.invoice.categories import DEFAULT_EXEMPTIONS, Exemption, exemption_of
from collab.invoice.document import DEFAULT_TAX_CATEGORY, DEFAULT_UNIT, LINE_ID, OPERATIONS
from collab.invoice.en16931.french import mention_notes
from collab.invoice.en16931.mapping_allowances import (
    adjustment_rows,
    document_adjustments,
    line_adjustments,
)
from collab.invoice.en16931.model import (
    Address,
    Delivery,
    DocumentTotals,
    Identifier,
    Line,
    Note,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    SemanticInvoice,
    VatBreakdown,
)
from collab.invoice.invoice_type import preceding_of, type_code_of
from collab.invoice.money import parse_decimal
from collab.invoice.totals import LineJSON, TaxBreakdownJSON
from collab.invoice.validation import evaluate

__all__ = ["EXEMPTIONS", "MappingError", "to_semantic"]

# BT-120 / BT-121 per VAT breakdown come from the lines' exemption fields
# (collab/invoice/categories.py); these standard wordings stand in when the lines give none.
EXEMPTIONS: Final[Mapping[str, tuple[str, str]]] = DEFAULT_EXEMPTIONS
# Seller legal mentions as BT-22 notes with their BT-21 subject (UNTDID 4451), the codes French
# e-invoicing guidance uses: penalties for late payment, recovery indemnity, early payment. The
# profile holds a bare rate and amount; the note says what they are (Code de commerce L441-10).
_MENTIONS: Final = (
    ("late_payment_rate", "PMD", "Late payment penalties: {} % a year"),
    ("recovery_indemnity", "PMT", "Fixed compensation for recovery costs: {} {currency}"),
    ("early_payment_discount", "AAB", "{}"),
    ("text", None, "{}"),
)
_NO_RATE: Final = frozenset({"O"})  # BR-O-05: no VAT rate on category O


class MappingError(ValueError):
    """The document cannot be expressed in EN 16931 at all (e.g. its currency is unknown)."""


def to_semantic(
    document: dict[str, Any],
    *,
    number: str | None,
    issue_date: date,
    seller: Mapping[str, Any],
    type_code: str | None = None,
    preceding: tuple[str, date] | None = None,
) -> SemanticInvoice:
    """Map an invoice document to the semantic model.

    `seller` has the shape of `organization.Profile.as_dict()`; missing fields stay empty, and
    the Schematron then names what is missing. `number` None (a draft) becomes "DRAFT": BT-1 is
    mandatory. Lines whose amounts are not valid yet are left out, exactly as the totals leave
    them out, so the XML is always internally consistent.

    BT-3 and BG-3: `type_code` None lets the document say (`invoice.type_code`, 380 when empty,
    and its preceding invoice: collab/invoice/invoice_type.py); the server passes "381" and the
    credited invoice for a credit note, and then both come from the caller only.

    Raises:
        MappingError: the document's currency is unknown, so there are no totals to map.
    """
    evaluation = evaluate(document)
    if evaluation.totals is None:
        raise MappingError("the invoice's currency is not a known ISO 4217 code")
    totals = evaluation.totals
    header: dict[str, Any] = document.get("invoice") or {}
    referred: tuple[str, date | None] | None = preceding
    if type_code is None:
        type_code, referred = type_code_of(header), preceding_of(header)
    rows = {
        str(row.get(LINE_ID)): row for row in document.get("lines") or [] if isinstance(row, dict)
    }
    groups = totals["tax_breakdown"]
    # The engine's groups, keyed as it keys them: (category, rate) with "20" == "20.00".
    keys = [(group["category"], Decimal(group["rate"])) for group in groups]
    members: list[list[dict[str, Any]]] = [[] for _ in groups]  # a group may have no line
    for line_id in evaluation.counted:
        members[keys.index(_group_key(rows[line_id]))].append(rows[line_id])
    breakdown = tuple(
        _breakdown(group, rows_in) for group, rows_in in zip(groups, members, strict=True)
    )
    adjustments = adjustment_rows(document)
    lines: list[Line] = []
    nets = [Decimal(totals["line_total"]) * 0 for _ in groups]  # zeros with the minor units
    for index, (line_id, result) in enumerate(
        zip(evaluation.counted, totals["lines"], strict=True), start=1
    ):
        row = rows[line_id]
        group = keys.index(_group_key(row))
        lines.append(_line(str(index), row, result, breakdown[group].rate, adjustments))
        nets[group] += lines[-1].net_amount
    allowances, charges = document_adjustments(header, totals, breakdown, nets, adjustments)
    buyer = _buyer(header.get("customer") or {})
    party = _seller(seller)
    if any(group.category in _NO_RATE for group in breakdown):
        # BR-O-02: outside the scope of VAT, neither party is named by a VAT identifier.
        party, buyer = replace(party, vat_id=""), replace(buyer, vat_id="")
    operations = _text(header.get("operations"))
    operations = operations if operations in OPERATIONS else ""
    vat_on_debits = seller.get("vat_on_debits") is True
    due = _date(header.get("due_date")) or issue_date + timedelta(
        days=int(seller.get("payment_days") or 0)
    )
    return SemanticInvoice(
        number=number or "DRAFT",
        issue_date=issue_date,
        type_code=type_code,
        currency=totals["currency"],
        seller=party,
        buyer=buyer,
        totals=DocumentTotals(
            line_total=Decimal(totals["line_total"]),
            allowance_total=Decimal(totals["allowances"]),
            charge_total=Decimal(totals["charges"]),
            tax_exclusive=Decimal(totals["net"]),
            tax_total=Decimal(totals["tax"]),
            tax_inclusive=Decimal(totals["gross"]),
            prepaid=Decimal(totals["prepaid"]),
            rounding=Decimal(totals["rounding"]),
            payable=Decimal(totals["due"]),
        ),
        vat_breakdown=breakdown,
        lines=tuple(lines),
        due_date=due,
        buyer_reference=_text(header.get("buyer_reference")),
        payment_terms=_text(header.get("payment_terms")) or _text(seller.get("payment_terms")),
        notes=_notes(header, seller, totals["currency"]) + mention_notes(operations, vat_on_debits),
        preceding=(PrecedingInvoice(*referred),) if referred else (),
        delivery=_delivery(header, breakdown, issue_date, buyer),
        payment=_payment(seller, number),
        allowances=allowances,
        charges=charges,
        operations=operations,
        vat_on_debits=vat_on_debits,
    )


def _group_key(row: Mapping[str, Any]) -> tuple[str, Decimal]:
    """A counted line's (category, rate) as the engine groups it: an O line has no rate and
    counts in the O group at 0 (validation has already refused anything else)."""
    category = _category(row)
    if category in _NO_RATE:
        return category, Decimal(0)
    return category, parse_decimal(str(row.get("tax_rate")))


def _breakdown(group: TaxBreakdownJSON, rows: list[dict[str, Any]]) -> VatBreakdown:
    category = group["category"]
    stated = exemption_of(
        category,
        (
            Exemption(_text(row.get("exemption_reason")), _text(row.get("exemption_code")))
            for row in rows
        ),
    )
    reason, code = stated.reason, stated.code
    return VatBreakdown(
        base=Decimal(group["base"]),
        amount=Decimal(group["amount"]),
        category=category,
        rate=None if category in _NO_RATE else Decimal(group["rate"]),
        exemption_reason=reason,
        exemption_code=code,
    )


def _line(
    position: str,
    row: dict[str, Any],
    result: LineJSON,
    rate: Decimal | None,
    adjustments: Mapping[str, Mapping[str, Any]],
) -> Line:
    """A counted line; `rate` is its group's canonical rate ("20", not "20.00"), None for O."""
    allowances, charges = line_adjustments(row, result, adjustments)
    return Line(
        id=position,
        quantity=parse_decimal(str(row.get("quantity"))),
        unit=_text(row.get("unit")) or DEFAULT_UNIT,
        net_amount=Decimal(result["net"]),
        net_price=_net_price(row),
        category=_category(row),
        rate=rate,
        name=_text(row.get("description")),
        allowances=allowances,
        charges=charges,
        gross_price=_stated(row, "gross_price"),
        price_discount=_stated(row, "price_discount"),
        base_quantity=_stated(row, "base_quantity"),
        source_id=str(row.get(LINE_ID)),
    )


def _stated(row: Mapping[str, Any], name: str) -> Decimal | None:
    """A price detail of a counted line (validation has read it), None when not stated."""
    text = _text(row.get(name))
    return parse_decimal(text) if text else None


def _net_price(row: Mapping[str, Any]) -> Decimal:
    """BT-146: the unit price, or gross - discount when a gross price states it (prices.py)."""
    gross = _stated(row, "gross_price")
    if gross is None:
        return parse_decimal(str(row.get("unit_price")))
    return gross - (_stated(row, "price_discount") or Decimal(0))


def _category(row: Mapping[str, Any]) -> str:
    return _text(row.get("tax_category")) or DEFAULT_TAX_CATEGORY


def _seller(profile: Mapping[str, Any]) -> Party:
    address = profile.get("address") or {}
    return Party(
        name=_text(profile.get("legal_name")),
        address=_address(address),
        legal_id=_legal_id(profile.get("siren")),
        vat_id=_text(profile.get("vat_id")),
    )


def _buyer(customer: Mapping[str, Any]) -> Party:
    return Party(
        name=_text(customer.get("name")),
        address=_address(customer.get("address") or {}),
        legal_id=_legal_id(customer.get("siren")),
        vat_id=_text(customer.get("vat_id")),
        email=_text(customer.get("email")),
    )


def _address(address: Mapping[str, Any]) -> Address:
    return Address(
        line1=_text(address.get("line1")),
        line2=_text(address.get("line2")),
        city=_text(address.get("city")),
        postcode=_text(address.get("postcode")),
        country=_text(address.get("country")),
    )


def _legal_id(value: object) -> Identifier | None:
    """SIREN (9 digits) is ICD 0002, SIRET (14 digits) ICD 0009."""
    number = _text(value).replace(" ", "")
    if not number:
        return None
    return Identifier(number, "0009" if len(number) == 14 else "0002")


def _notes(header: Mapping[str, Any], seller: Mapping[str, Any], currency: str) -> tuple[Note, ...]:
    notes = [Note(text)] if (text := _text(header.get("notes"))) else []
    mentions = seller.get("legal_mentions") or {}
    for name, subject, template in _MENTIONS:
        if mention := _text(mentions.get(name)):
            notes.append(Note(template.format(mention, currency=currency), subject))
    return tuple(notes)


def _delivery(
    header: Mapping[str, Any], breakdown: tuple[VatBreakdown, ...], issued: date, buyer: Party
) -> Delivery | None:
    """BG-13: the deliver-to party and address when the document states them (people fill
    them only when they differ from the billing address: a French mention from 2026).
    BR-IC-11 and BR-IC-12 want a delivery date and a deliver-to country on an intra-community
    supply: the issue date, and the buyer's country when no delivery address says another,
    stand in for them (docs/e-invoices.md)."""
    spec = header.get("delivery")
    spec = spec if isinstance(spec, Mapping) else {}
    stated = spec.get("address")
    address = _address(stated) if isinstance(stated, Mapping) else Address()
    name = _text(spec.get("name"))
    intra = any(group.category == "K" for group in breakdown)
    has_address = address != Address()
    if not (has_address or name or intra):
        return None
    country = address.country or (buyer.address.country if intra else "")
    return Delivery(
        date=issued if intra else None,
        country=country,
        name=name,
        address=replace(address, country=country) if has_address else None,
    )


def _payment(seller: Mapping[str, Any], number: str | None) -> PaymentInstructions | None:
    iban = _text(seller.get("iban")).replace(" ", "")
    if not iban:
        return None
    return PaymentInstructions(
        iban=iban,
        bic=_text(seller.get("bic")),
        account_name=_text(seller.get("legal_name")),
        remittance=_remittance(number),
    )


def _remittance(number: str | None) -> str:
    """BT-83: the invoice's RF creditor reference (ISO 11649), which the payer's bank checks
    and our reconciliation matches (docs/reconciliation.md); the number itself when it makes
    none (no letter or digit, or more than 21)."""
    if not number:
        return ""
    try:
        return creditor_reference.make(number)
    except creditor_reference.NoReference:
        return number


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
