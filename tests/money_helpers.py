"""Shorthands the money tests share: D, lines, discounts and the bases of a tax breakdown."""

from __future__ import annotations

from decimal import Decimal

from collab.invoice.money import Discount, Line, Totals

D = Decimal


def line(
    quantity: str,
    unit_price: str,
    rate: str,
    category: str = "S",
    discount: Discount | None = None,
) -> Line:
    return Line(D(quantity), D(unit_price), D(rate), category, discount)


def amount_off(value: str) -> Discount:
    return Discount("amount", D(value))


def percent_off(value: str) -> Discount:
    return Discount("percent", D(value))


def bases(totals: Totals) -> dict[tuple[str, str], str]:
    return {(g.category, str(g.rate)): str(g.base) for g in totals.tax_breakdown}
