"""What a late payer owes on top of the invoice under French law (Code de commerce).

- Late-payment interest (art. L441-10 II): due from the day after the due date, without a
  reminder being needed, at the rate the invoice states (by default the ECB's refinancing rate
  plus 10 points; at least three times the legal interest rate). Simple interest on what is
  still owed, per day late, over a 365-day year, rounded half up to the currency's minor unit.
- The fixed recovery indemnity (art. L441-10 II and D441-5): 40 EUR per invoice paid late, owed
  by a professional customer; shown on EUR invoices only (the law states it in euros).

Pure: the caller says what is owed, the rate and the day; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

INDEMNITY_EUR: Final = Decimal("40.00")
DAYS_PER_YEAR: Final = 365


@dataclass(frozen=True, slots=True)
class LateCharges:
    days_late: int
    interest: Decimal  # 0 when no rate is known
    indemnity: Decimal  # 40.00 for a late EUR invoice, else 0

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity


def late_charges(
    *,
    outstanding: Decimal,
    due: date,
    on: date,
    annual_rate_percent: Decimal | None,
    currency: str,
    places: int = 2,
) -> LateCharges:
    """The charges on `outstanding` (in `currency`, `places` decimals) when still unpaid on
    `on` after falling due on `due`. Nothing before the day after the due date, nothing on
    nothing owed."""
    days = (on - due).days
    zero = Decimal(0).scaleb(-places)
    if days <= 0 or outstanding <= 0:
        return LateCharges(max(days, 0), zero, zero)
    interest = zero
    if annual_rate_percent is not None and annual_rate_percent > 0:
        exact = outstanding * annual_rate_percent * days / (100 * DAYS_PER_YEAR)
        interest = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    indemnity = INDEMNITY_EUR if currency == "EUR" else zero
    return LateCharges(days, interest, indemnity)
