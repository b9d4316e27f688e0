"""The results of the money engine (collab/invoice/money.py): amounts per line, VAT per
(category, rate) group, and the invoice's totals, with their JSON forms (decimal strings)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict


def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string with its exponent kept: "90.75", "1200", "1.500"."""
    return format(value, "f")


class AdjustmentJSON(TypedDict):
    id: str
    charge: bool
    amount: str
    base: str | None
    percent: str | None
    category: str | None  # document level only
    rate: str | None  # document level only, and never for category O


class LineJSON(TypedDict):
    extended: str
    discount: str
    allowances: str
    charges: str
    net: str
    adjustments: list[AdjustmentJSON]


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
    allowances: str
    charges: str
    net: str
    tax: str
    gross: str
    prepaid: str
    rounding: str
    due: str
    tax_breakdown: list[TaxBreakdownJSON]
    adjustments: list[AdjustmentJSON]


def _optional_text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    """What one allowance or charge came to (collab/invoice/adjustments.py), under its `key`.

    `amount` is what is subtracted (an allowance) or added (a charge): a percent one has the
    sign of its base. `category` and `rate` are None on a line-level one; `rate` None on O.
    """

    key: str
    charge: bool
    amount: Decimal
    base: Decimal | None
    percent: Decimal | None
    category: str | None = None
    rate: Decimal | None = None

    def to_json(self) -> AdjustmentJSON:
        return {
            "id": self.key,
            "charge": self.charge,
            "amount": decimal_text(self.amount),
            "base": _optional_text(self.base),
            "percent": _optional_text(self.percent),
            "category": self.category,
            "rate": _optional_text(self.rate),
        }


@dataclass(frozen=True, slots=True)
class LineResult:
    """A line's amounts: `extended` = round(quantity x unit price), and BT-131
    `net` = extended - discount - allowances + charges.

    `discount` is what is subtracted: a percent discount has the sign of `extended`, an amount
    discount is positive whatever that sign (BT-131 = quantity x price - allowance). The line's
    other allowances and charges are summed in `allowances` and `charges`, one by one in
    `adjustments`.
    """

    extended: Decimal
    discount: Decimal
    net: Decimal
    allowances: Decimal
    charges: Decimal
    adjustments: tuple[AdjustmentResult, ...] = ()

    def to_json(self) -> LineJSON:
        return {
            "extended": decimal_text(self.extended),
            "discount": decimal_text(self.discount),
            "allowances": decimal_text(self.allowances),
            "charges": decimal_text(self.charges),
            "net": decimal_text(self.net),
            "adjustments": [adjustment.to_json() for adjustment in self.adjustments],
        }


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """VAT of one (category, rate) group: `base` is its line nets minus its share of the document
    discount, minus its document-level allowances, plus its document-level charges."""

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

    `lines` and `adjustments` (the document-level ones) follow the input order; `tax_breakdown`
    is sorted by category, then rate. allowances (BT-107) = document_discount + the document
    allowances; charges (BT-108); net (BT-109) = line_total - allowances + charges = sum of bases;
    tax = sum of breakdown amounts; gross = net + tax; due = gross - prepaid + rounding (BT-115,
    BR-CO-16).
    """

    currency: str
    lines: tuple[LineResult, ...]
    line_total: Decimal
    document_discount: Decimal
    allowances: Decimal
    charges: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    prepaid: Decimal
    rounding: Decimal
    due: Decimal
    tax_breakdown: tuple[TaxBreakdown, ...]
    adjustments: tuple[AdjustmentResult, ...] = ()

    def to_json(self) -> TotalsJSON:
        """Decimal strings with the currency's minor units: "90.75", JPY "1200", KWD "1.500"."""
        return {
            "currency": self.currency,
            "lines": [line.to_json() for line in self.lines],
            "line_total": decimal_text(self.line_total),
            "document_discount": decimal_text(self.document_discount),
            "allowances": decimal_text(self.allowances),
            "charges": decimal_text(self.charges),
            "net": decimal_text(self.net),
            "tax": decimal_text(self.tax),
            "gross": decimal_text(self.gross),
            "prepaid": decimal_text(self.prepaid),
            "rounding": decimal_text(self.rounding),
            "due": decimal_text(self.due),
            "tax_breakdown": [group.to_json() for group in self.tax_breakdown],
            "adjustments": [adjustment.to_json() for adjustment in self.adjustments],
        }
