"""Splitting an amount over weights in whole minor units (the document discount over VAT groups).

Integer arithmetic on minor units only: exact by construction, and independent of any decimal
context, the caller's or the money engine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Overflow

__all__ = ["allocate"]

# Only moves decimal points; 60 digits hold any amount the engine accepts (below 10^15 with at
# most 4 minor units), and Inexact would say otherwise instead of rounding silently.
_SCALE = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow, Inexact])


def allocate(total: Decimal, weights: Sequence[Decimal], places: int) -> tuple[Decimal, ...]:
    """Split `total` over `weights` pro rata so that the parts sum to `total` exactly.

    Each part is rounded half-up to `places` decimals; the rounding remainder goes to the
    weight largest in absolute value, the first one on a tie, so pass the weights in a
    deterministic order. `total` and the weights must have at most `places` decimals.

    Raises:
        ValueError: the weights sum to zero while `total` does not.
    """
    # Whole minor units and integer division: exact by construction, no precision to reason about.
    units = _to_units(total, places)
    weight_units = [_to_units(weight, places) for weight in weights]
    whole = sum(weight_units)
    if units == 0:
        return tuple(_from_units(0, places) for _ in weights)
    if whole == 0:
        raise ValueError(f"cannot allocate {total} over weights that sum to zero")
    parts = [_divide_half_up(units * weight, whole) for weight in weight_units]
    # max() keeps the first of equal maxima, which is the documented tie-break.
    largest = max(range(len(parts)), key=lambda i: abs(weight_units[i]))
    parts[largest] += units - sum(parts)
    return tuple(_from_units(part, places) for part in parts)


def _to_units(value: Decimal, places: int) -> int:
    scaled = value.scaleb(places, _SCALE)
    if scaled != scaled.to_integral_value(context=_SCALE):
        raise ValueError(f"{value} has more than {places} decimals")
    return int(scaled)


def _from_units(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places, _SCALE)


def _divide_half_up(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return quotient if (numerator < 0) == (denominator < 0) else -quotient
