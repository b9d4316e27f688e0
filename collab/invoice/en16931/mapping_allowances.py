"""Allowances and charges of the semantic invoice: BG-20 / BG-21 on the document, BG-27 / BG-28
on its lines.

Two sources: the header and line `discount` (as before the `adjustments` root existed: one
allowance, "Discount", code 95) and the rows of the `adjustments` root. Every amount, base and
percent is the money engine's (the totals JSON, docs/invoice-document.md); only the reason texts
and codes are read from the document rows, by id. A base is stated only with its percent
(percent mode): amount = base x percent / 100 then holds (Peppol PEPPOL-EN16931-R040), and an
amount-mode row's base would be a figure no rule can check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from collab.invoice.document import DEFAULT_TAX_CATEGORY
from collab.invoice.en16931.model import (
    DocumentAllowance,
    DocumentCharge,
    LineAllowance,
    LineCharge,
    VatBreakdown,
)
from collab.invoice.money import MoneyError, parse_decimal
from collab.invoice.totals import AdjustmentJSON, LineJSON, TotalsJSON

__all__ = ["adjustment_rows", "document_adjustments", "line_adjustments"]

_NO_RATE: Final = frozenset({"O"})  # BR-O-06 / BR-O-07: no rate on an O allowance or charge
Rows = Mapping[str, Mapping[str, Any]]  # the `adjustments` rows by id


def adjustment_rows(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The document's `adjustments` rows by id (the engine's JSON names its rows by id)."""
    found = document.get("adjustments") or []
    return {str(row.get("id")): row for row in found if isinstance(row, Mapping)}


def document_adjustments(
    header: Mapping[str, Any],
    totals: TotalsJSON,
    breakdown: Sequence[VatBreakdown],
    line_nets: Sequence[Decimal],
    rows: Rows,
) -> tuple[tuple[DocumentAllowance, ...], tuple[DocumentCharge, ...]]:
    """BG-20 (the header discount's share of each VAT group, then each allowance row) and BG-21
    (each charge row), in the document's order. `line_nets` are the groups' summed line nets
    (BT-131), in the order of `breakdown`."""
    allowances = list(_discount_shares(header, totals, breakdown, line_nets))
    charges: list[DocumentCharge] = []
    for found in totals["adjustments"]:
        row = rows.get(found["id"], {})
        category = found["category"] or DEFAULT_TAX_CATEGORY
        rate = None if category in _NO_RATE or found["rate"] is None else Decimal(found["rate"])
        amount, base, percent = _figures(found)
        reason, code = _text(row.get("reason")), _text(row.get("reason_code"))
        if found["charge"]:
            charges.append(
                DocumentCharge(amount, category, rate, base, percent, reason, code, found["id"])
            )
        else:
            allowances.append(
                DocumentAllowance(amount, category, rate, base, percent, reason, code, found["id"])
            )
    return tuple(allowances), tuple(charges)


def line_adjustments(
    row: Mapping[str, Any], result: LineJSON, rows: Rows
) -> tuple[tuple[LineAllowance, ...], tuple[LineCharge, ...]]:
    """BG-27 (the line's `discount`, then its allowance rows) and BG-28 (its charge rows)."""
    allowances: list[LineAllowance] = []
    discount = Decimal(result["discount"])
    if discount:
        spec = row.get("discount") or {}
        percent = (spec.get("kind") or "percent") == "percent"
        allowances.append(
            LineAllowance(
                amount=discount,
                base=Decimal(result["extended"]) if percent else None,
                percent=parse_decimal(str(spec.get("value"))) if percent else None,
            )
        )
    charges: list[LineCharge] = []
    for found in result["adjustments"]:
        source = rows.get(found["id"], {})
        amount, base, percent = _figures(found)
        reason, code = _text(source.get("reason")), _text(source.get("reason_code"))
        if found["charge"]:
            charges.append(LineCharge(amount, base, percent, reason, code, found["id"]))
        else:
            allowances.append(LineAllowance(amount, base, percent, reason, code, found["id"]))
    return tuple(allowances), tuple(charges)


def _figures(found: AdjustmentJSON) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """(amount, base, percent): base and percent together in percent mode, else neither."""
    amount = Decimal(found["amount"])
    if found["percent"] is None or found["base"] is None:
        return amount, None, None
    return amount, Decimal(found["base"]), Decimal(found["percent"])


def _discount_shares(
    header: Mapping[str, Any],
    totals: TotalsJSON,
    breakdown: Sequence[VatBreakdown],
    line_nets: Sequence[Decimal],
) -> list[DocumentAllowance]:
    """One BG-20 per VAT group carrying a share of the header discount (BR-S-08 and the like
    sum allowances per category and rate, so a discount spread over rates must be split).

    The share is what is left of a group's base once its line nets and its own allowance and
    charge rows are accounted for: base = nets - share - allowances + charges (the engine splits
    the discount on the line nets only, before the rows)."""
    if not Decimal(totals["document_discount"]):
        return []
    rows = [Decimal(0) for _ in breakdown]
    keys = [(group.category, group.rate or Decimal(0)) for group in breakdown]
    for found in totals["adjustments"]:
        category = found["category"] or DEFAULT_TAX_CATEGORY
        key = (category, Decimal(found["rate"] or 0) if category not in _NO_RATE else Decimal(0))
        amount = Decimal(found["amount"])
        rows[keys.index(key)] += -amount if found["charge"] else amount
    percent = _percent(header.get("discount"))
    found_shares: list[DocumentAllowance] = []
    for index, (group, nets) in enumerate(zip(breakdown, line_nets, strict=True)):
        share = nets - group.base - rows[index]
        if not share:
            continue
        # When one group holds every line the share is the whole discount, round(its nets x
        # percent): base and percent can be stated. Across groups the engine's pro-rata shares
        # need not equal round(group nets x percent), so only the amount is stated.
        single = percent is not None and all(
            not other for i, other in enumerate(line_nets) if i != index
        )
        found_shares.append(
            DocumentAllowance(
                amount=share,
                category=group.category,
                rate=group.rate,
                base=nets if single else None,
                percent=percent if single else None,
            )
        )
    return found_shares


def _percent(spec: object) -> Decimal | None:
    if not isinstance(spec, dict) or (spec.get("kind") or "percent") != "percent":
        return None
    try:
        return parse_decimal(str(spec.get("value")))
    except MoneyError:
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
