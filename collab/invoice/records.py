"""The plain records KPIs and reports are computed from (kpis.py, reports.py).

The server gathers them from the invoices, the workflow log, the credit notes and the
exceptions; here they are values only, so the arithmetic is tested without a database. Amounts
are exact `Decimal`s in the record's own currency: nothing here ever adds two currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

INVOICE, CREDIT_NOTE = "invoice", "credit_note"
# Statuses of an issued document that still counts (a credit note cancels its invoice).
ISSUED_STATES = frozenset({"issued", "partially_paid", "paid"})
UNPAID_STATES = frozenset({"issued", "partially_paid"})  # something is still owed
OPEN_STATES = ("draft", "submitted", "approved")  # work waiting for someone
CENT = Decimal("0.01")
# What can fall outside the normal path (issue 14): the exceptions feature stores these.
CATEGORIES = (
    "dispute",
    "refund_request",
    "cancellation_request",
    "pricing_error",
    "missing_po",
    "other",
)


@dataclass(frozen=True, slots=True)
class Move:
    """One workflow transition: `action` took the invoice from `from_state` to `to_state`."""

    at: datetime
    action: str
    from_state: str
    to_state: str


@dataclass(frozen=True, slots=True)
class VatLine:
    """One (category, rate) group of an issued document's VAT breakdown (EN 16931 BG-23)."""

    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """An invoice or credit note as the reports see it.

    `moves` is its workflow log, oldest first; `vat` its issued VAT breakdown (empty before
    issue); `credited` the gross of its issued credit notes (invoices only); `paid` its
    payments less refunds (server/payments); `credits` the id of the invoice a credit note
    credits."""

    id: str
    kind: str
    status: str
    created_at: datetime
    currency: str
    customer: str
    net: Decimal
    gross: Decimal
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    assignee_id: str | None = None
    moves: tuple[Move, ...] = ()
    vat: tuple[VatLine, ...] = ()
    credited: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    credits: str | None = None

    @property
    def issued_at(self) -> datetime | None:
        """When it was issued (the last issue move), None if it never was."""
        issues = [move.at for move in self.moves if move.action == "issue"]
        return issues[-1] if issues else None

    @property
    def rejections(self) -> int:
        return sum(1 for move in self.moves if move.action == "reject")

    @property
    def outstanding(self) -> Decimal:
        """What the customer still owes: the gross less the issued credit notes and what was
        paid, never below zero (an overpayment owes nothing)."""
        return max(self.gross - self.credited - self.paid, Decimal(0))


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    id: str
    invoice_id: str
    category: str
    opened_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """The days from `start` to `end`, both included (UTC dates); `today` is when the question
    is asked: snapshots (what is overdue, what waits) are taken at `as_of`."""

    start: date
    end: date
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def holds_time(self, moment: datetime | None) -> bool:
        return moment is not None and self.holds(moment.astimezone(UTC).date())

    @property
    def as_of(self) -> date:
        """The period's end, or today when the period ends later (no aging into the future)."""
        return min(self.end, self.today)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals (half up); None when there is nothing to divide by."""
    if denominator == 0:
        return None
    return cents(Decimal(100 * numerator) / Decimal(denominator))


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
