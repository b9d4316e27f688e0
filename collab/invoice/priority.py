"""How urgent an invoice is for the manager's board: a score from 0 to 100 and its reasons.

Three factors, each a fraction from 0 to 1, mixed by an organization's integer weights:

- amount: grows by a third per factor of ten of the gross, in the invoice's own currency,
  from 0 at 100 or less to 1 at 100,000 or more (1,000 -> 1/3, 10,000 -> 2/3). Fixed bounds
  rather than "compared with the largest open invoice": a card's score then depends on that
  card only, so one change never re-scores the whole board;
- due date: 0 when due in 14 days or more (or no due date), rising to 1/2 on the due day,
  then by 1/60 per day late, reaching 1 at 30 days late;
- customer: normal 0, important 1/2, key 1.

score = round(100 * (wa*amount + wd*due + wc*customer) / (wa + wd + wc)), 0 when every weight
is 0. A weight of 0 removes its factor, and its reasons. Worked example in docs/board.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final

AMOUNT_FLOOR: Final = Decimal(100)  # at or below: no amount points
AMOUNT_DECADES: Final = 3  # from the floor to full points: 100 -> 100,000
DUE_HORIZON_DAYS: Final = 14  # due later than this: no due-date points
DUE_DAY_FRACTION: Final = 0.5  # on the due day
LATE_DAYS_TO_FULL: Final = 30  # days late at which the due factor is 1


class Importance(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"
    KEY = "key"


_CUSTOMER_FRACTION: Final = {Importance.NORMAL: 0.0, Importance.IMPORTANT: 0.5, Importance.KEY: 1.0}


@dataclass(frozen=True, slots=True)
class Weights:
    amount: int = 40
    due: int = 40
    customer: int = 20

    def __post_init__(self) -> None:
        for name in ("amount", "due", "customer"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise ValueError(f"the {name} weight must be from 0 to 100, not {value}")

    def as_dict(self) -> dict[str, int]:
        return {"amount": self.amount, "due": self.due, "customer": self.customer}


DEFAULT_WEIGHTS: Final = Weights()


@dataclass(frozen=True, slots=True)
class Priority:
    score: int
    # Reasons that contributed, most important first: {"code": ..., **parameters}.
    reasons: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "reasons": self.reasons}


def amount_fraction(gross: Decimal) -> float:
    """0 at or below 100, +1/3 per factor of ten, 1 from 100,000 (in the invoice's currency)."""
    if gross <= AMOUNT_FLOOR:
        return 0.0
    return min(1.0, math.log10(gross / AMOUNT_FLOOR) / AMOUNT_DECADES)


def due_fraction(days_until_due: int | None) -> float:
    """`days_until_due`: negative when late; None when there is no due date (or nothing is
    owed any more)."""
    if days_until_due is None or days_until_due >= DUE_HORIZON_DAYS:
        return 0.0
    if days_until_due >= 0:
        return DUE_DAY_FRACTION * (DUE_HORIZON_DAYS - days_until_due) / DUE_HORIZON_DAYS
    late = -days_until_due
    return min(1.0, DUE_DAY_FRACTION + (1 - DUE_DAY_FRACTION) * late / LATE_DAYS_TO_FULL)


def priority(
    *,
    gross: Decimal,
    currency: str,
    days_until_due: int | None,
    importance: Importance,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Priority:
    """The score and the reasons that contributed to it, largest contribution first."""
    total = weights.amount + weights.due + weights.customer
    if total == 0:
        return Priority(0)
    amount = amount_fraction(gross)
    due = due_fraction(days_until_due)
    customer = _CUSTOMER_FRACTION[importance]
    parts: list[tuple[float, int, dict[str, object]]] = []
    if weights.due and due > 0:
        assert days_until_due is not None
        reason: dict[str, object] = (
            {"code": "overdue", "days": -days_until_due}
            if days_until_due < 0
            else {"code": "due_in", "days": days_until_due}
        )
        parts.append((weights.due * due, 0, reason))
    if weights.amount and amount > 0:
        parts.append(
            (
                weights.amount * amount,
                1,
                {"code": "amount", "value": str(gross), "currency": currency},
            )
        )
    if weights.customer and customer > 0:
        code = "key_account" if importance is Importance.KEY else "important_customer"
        parts.append((weights.customer * customer, 2, {"code": code}))
    points = sum(contribution for contribution, _, _ in parts)
    # Half up, not to even: 12.5 is 13 as a manager would read it.
    score = min(100, math.floor(100 * points / total + 0.5))
    parts.sort(key=lambda part: (-part[0], part[1]))
    return Priority(score, [reason for _, _, reason in parts])
