"""The results of the money engine (collab/invoice/money.py): amounts per line, VAT per
(category, rate) group, and the invoice's totals, with their JSON forms (decimal strings)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict


def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string with its exponent kept: "90.75", "1200", "1.500"."""
    return format(value, "f")


class LineJSON(TypedDict):
    extended: str
    discount: str
    net: str


class TaxBreakdownJSON(TypedDict):
    category: str
    rate: str
    base: str
    amount: str


class TotalsJSON(TypedDict):
    currency: str
    lines: list[LineJSON]
    line_total: str
    document_discount: str
    net: str
    tax: str
    gross: str
    prepaid: str
    rounding: str
    due: str
    tax_breakdown: list[TaxBreakdownJSON]


@dataclass(frozen=True, slots=True)
class LineResult:
    """A line's amounts: `extended` = round(quantity x unit price), `net` = extended - discount.

    `discount` is what is subtracted: a percent discount has the sign of `extended`, an amount
    discount is positive whatever that sign (BT-131 = quantity x price - allowance).
    """

    extended: Decimal
    discount: Decimal
    net: Decimal

    def to_json(self) -> LineJSON:
        return {
            "extended": decimal_text(self.extended),
            "discount": decimal_text(self.discount),
            "net": decimal_text(self.net),
        }


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """VAT of one (category, rate) group: `base` includes its share of the document discount."""

    category: str
    rate: Decimal  # canonical: Decimal("20"), Decimal("5.5"), whatever the input spelling; 0 for O
    base: Decimal
    amount: Decimal

    def to_json(self) -> TaxBreakdownJSON:
        return {
            "category": self.category,
            "rate": decimal_text(self.rate),
            "base": decimal_text(self.base),
            "amount": decimal_text(self.amount),
        }


@dataclass(frozen=True, slots=True)
class Totals:
    """Every total of an invoice, each with exactly the currency's minor units.

    `lines` follows the input order; `tax_breakdown` is sorted by category, then rate.
    net = line_total - document_discount = sum of bases; tax = sum of breakdown amounts;
    gross = net + tax; due = gross - prepaid + rounding (BT-115, BR-CO-16).
    """

    currency: str
    lines: tuple[LineResult, ...]
    line_total: Decimal
    document_discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    prepaid: Decimal
    rounding: Decimal
    due: Decimal
    tax_breakdown: tuple[TaxBreakdown, ...]

    def to_json(self) -> TotalsJSON:
        """Decimal strings with the currency's minor units: "90.75", JPY "1200", KWD "1.500"."""
        return {
            "currency": self.currency,
            "lines": [line.to_json() for line in self.lines],
            "line_total": decimal_text(self.line_total),
            "document_discount": decimal_text(self.document_discount),
            "net": decimal_text(self.net),
            "tax": decimal_text(self.tax),
            "gross": decimal_text(self.gross),
            "prepaid": decimal_text(self.prepaid),
            "rounding": decimal_text(self.rounding),
            "due": decimal_text(self.due),
            "tax_breakdown": [group.to_json() for group in self.tax_breakdown],
        }
