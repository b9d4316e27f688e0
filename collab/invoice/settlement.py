"""What settles an invoice besides its lines: the paid amount (BT-113) and the rounding amount
(BT-114), checked; the amount due is gross - paid + rounding (BR-CO-16, in money.py)."""

from __future__ import annotations

from decimal import Decimal

from collab.invoice.currencies import minor_units
from collab.invoice.decimals import MoneyError, check_places, checked

# BT-114 rounding amount: EN 16931 sets no bound (only two decimals, BR-DEC-17), but it exists
# to round the amount due to a coin (0.05 CHF, 0.50 SEK, a whole unit): anything as large as
# one unit of the currency is a typo, not a rounding. |rounding| < 1 (so 0 only in JPY).
MAX_ROUNDING = Decimal(1)


def paid_amount(value: Decimal, currency: str) -> Decimal:
    """BT-113 checked: not negative, at most the currency's minor units.

    Raises:
        MoneyError: with `field` "prepaid" (the currency must be known).
    """
    prepaid = checked(value, "prepaid", minimum=Decimal(0))
    check_places(prepaid, minor_units(currency), "prepaid", currency=currency)
    return prepaid


def rounding_amount(value: Decimal, currency: str) -> Decimal:
    """BT-114 checked: below one unit of the currency either way, at most its minor units.

    Raises:
        MoneyError: with `field` "rounding" (the currency must be known).
    """
    rounding = checked(value, "rounding")
    check_places(rounding, minor_units(currency), "rounding", currency=currency)
    if rounding.copy_abs() >= MAX_ROUNDING:
        raise MoneyError(
            f"a rounding amount is below {MAX_ROUNDING} {currency} either way, got {rounding}",
            code="out_of_range",
            field="rounding",
        )
    return rounding
