"""Allowances and charges as EN 16931 states them, beside the lines.

On the document (BG-20 allowance, BG-21 charge) each one is bound to one VAT category and rate
(BT-95/96, BT-102/103) and moves that group's taxable base only: nothing is spread pro rata over
rates. On a line (BG-27, BG-28) it moves the line's net amount (BT-131) and so its line's group.
Either is a fixed amount (BT-92/99/136/141) or a percent (BT-94/101/138/143) of a base
(BT-93/100/137/142); without a stated base a percent applies to the line's amount before
allowances (quantity x net price) or, on the document, to the line nets of its VAT group.

The arithmetic is on integers of minor units, like allocation.py: exact by construction and
independent of any decimal context. The money engine (money.py) checks the bounds that depend on
the currency and adds the results into its totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from collab.invoice.decimals import MoneyError, MoneyTypeError, checked

__all__ = ["Adjustment", "adjustment_amount"]


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An allowance (`charge` False) or a charge: exactly one of `amount` and `percent`.

    `amount` is not negative; `percent` is not negative (an allowance's is at most 100, checked
    with its precision by the money engine); `base` may have any sign (a credit line's). The
    category and rate bind a document-level one to its VAT group (`tax_rate` None for category O
    only); a line-level one takes its line's and leaves them at their defaults. `key` is the
    caller's name for it (a document row id), echoed in the result.
    """

    charge: bool
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: Decimal | None = None
    tax_category: str = "S"
    tax_rate: Decimal | None = None
    key: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.charge, bool):
            raise MoneyTypeError(
                f"charge must be a bool, not {type(self.charge).__name__}",
                code="not_a_bool",
                field="type",
            )
        if (self.amount is None) == (self.percent is None):
            raise MoneyError(
                "an allowance or charge is an amount or a percent, exactly one of them",
                code="amount_and_percent" if self.amount is not None else "required",
                field="percent" if self.amount is not None else "amount",
            )
        if self.amount is not None:
            object.__setattr__(self, "amount", checked(self.amount, "amount", minimum=Decimal(0)))
        if self.percent is not None:
            percent = checked(self.percent, "percent", minimum=Decimal(0))
            object.__setattr__(self, "percent", percent)
        if self.base is not None:
            object.__setattr__(self, "base", checked(self.base, "base"))


@dataclass(frozen=True, slots=True)
class AdjustmentAmount:
    """What an adjustment comes to: `amount` in minor units, with the base a percent used."""

    amount: Decimal
    base: Decimal | None  # the base used for a percent, or the one stated beside an amount


def adjustment_amount(
    adjustment: Adjustment, default_base: Decimal, places: int
) -> AdjustmentAmount:
    """The adjustment's amount: as stated, or round_half_up(base x percent / 100) to `places`.

    `default_base` is used for a percent without a stated base; it and any stated base have at
    most `places` decimals, the percent at most 4 (the money engine checks both before).
    """
    # A stated base is given back with the currency's minor units ("50" → "50.00"), as amounts are.
    stated = (
        None if adjustment.base is None else _units_text(_units(adjustment.base, places), places)
    )
    if adjustment.amount is not None:
        return AdjustmentAmount(_units_text(_units(adjustment.amount, places), places), stated)
    assert adjustment.percent is not None
    base = default_base if stated is None else stated
    percent_places = max(0, -_exponent(adjustment.percent))
    numerator = _units(base, places) * _units(adjustment.percent, percent_places)
    denominator = 100 * 10**percent_places
    return AdjustmentAmount(_units_text(_divide_half_up(numerator, denominator), places), base)


def _exponent(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


def _units(value: Decimal, places: int) -> int:
    """`value` in units of 10^-places; it must have at most `places` decimals."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude: int = int("".join(map(str, digits)) or "0")
    shift = exponent + places
    if shift >= 0:
        magnitude *= 10**shift
    else:
        magnitude, remainder = divmod(magnitude, 10 ** (-shift))
        if remainder:
            raise ValueError(f"{value} has more than {places} decimals")
    return -magnitude if sign else magnitude


def _units_text(units: int, places: int) -> Decimal:
    """Whole units of 10^-places as a Decimal with exactly `places` decimals ("0.00", not "-0")."""
    return Decimal((1 if units < 0 else 0, tuple(map(int, str(abs(units)))), -places))


def _divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0), rounded half away from zero."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient
