"""The team's KPIs over a period (issue 14), as pure arithmetic over records.py's values.

Each KPI has its definition in `DEFINITIONS`, shown on the page as written here. Times are
hours with two decimals, rates percentages with two decimals (both rounded half up at the end,
never before); amounts stay per currency.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from collab.invoice.records import (
    CATEGORIES,
    CREDIT_NOTE,
    INVOICE,
    OPEN_STATES,
    UNPAID_STATES,
    ExceptionRecord,
    InvoiceRecord,
    Period,
    cents,
    ratio,
)

STAGES = ("draft", "submitted", "approved")  # the states an invoice passes before issue
NEEDS_PAYMENTS = "needs payments: Cofacture does not record payments yet"

DEFINITIONS: dict[str, str] = {
    "processing_time": (
        "Average time from creation to issue of the invoices issued in the period, in hours; "
        "per stage, the average total time spent in draft, submitted and approved (the stages "
        "add up to the whole)."
    ),
    "first_time_right": ("Share of the invoices issued in the period that were never rejected."),
    "rejection_rate": (
        "Share of the approvers' decisions taken in the period that were rejections: "
        "rejections ÷ (approvals + rejections)."
    ),
    "error_rate": (
        "Credit notes issued in the period ÷ invoices issued in the period. Every credit note "
        "counts as an error: Cofacture records no reason for a credit note."
    ),
    "payment_delay": "Average of (payment date - due date) over the invoices paid in the period.",
    "dso": "Days sales outstanding: receivables ÷ revenue of the period x its days.",
    "overdue_amount": (
        "What customers owe on issued invoices past their due date at the period's end (or "
        "today), less the credit notes issued against them, per currency."
    ),
    "work_waiting": (
        "Invoices and credit notes in draft, submitted or approved right now, per assignee "
        "(the person who should act next; none: any approver, for a submitted invoice)."
    ),
    "exceptions_by_category": (
        "Exceptions opened and resolved in the period per category, and those still open at "
        "its end."
    ),
}


@dataclass(frozen=True, slots=True)
class Rate:
    value: Decimal | None  # percent; None when the denominator is 0
    numerator: int
    denominator: int


@dataclass(frozen=True, slots=True)
class Processing:
    invoices: int  # issued in the period: the average's denominator
    hours: Decimal | None
    stages: dict[str, Decimal | None]  # hours per stage, keys STAGES


@dataclass(frozen=True, slots=True)
class Amount:
    currency: str
    amount: Decimal
    invoices: int


@dataclass(frozen=True, slots=True)
class Waiting:
    assignee_id: str | None
    draft: int
    submitted: int
    approved: int

    @property
    def total(self) -> int:
        return self.draft + self.submitted + self.approved


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: str
    opened: int
    resolved: int
    open: int


@dataclass(frozen=True, slots=True)
class Kpis:
    processing: Processing
    first_time_right: Rate
    rejection_rate: Rate
    error_rate: Rate
    overdue: list[Amount]
    waiting: list[Waiting]
    exceptions: list[CategoryCount]
    payment_delay: Decimal | None = None  # needs payments
    dso: Decimal | None = None  # needs payments


def _micros(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def _hours(total_micros: int, count: int) -> Decimal | None:
    """The average of `count` durations totalling `total_micros`, in hours (exact until the
    final rounding)."""
    if count == 0:
        return None
    return cents(Decimal(total_micros) / Decimal(3_600_000_000 * count))


def stage_times(record: InvoiceRecord) -> dict[str, int]:
    """Microseconds spent in each state from creation to the (last) issue, from the log."""
    spent: dict[str, int] = defaultdict(int)
    state, since = "draft", record.created_at
    for move in record.moves:
        spent[state] += _micros(move.at - since)
        state, since = move.to_state, move.at
        if move.action == "issue":
            break
    return spent


def issued_in(records: Iterable[InvoiceRecord], period: Period, kind: str) -> list[InvoiceRecord]:
    return [r for r in records if r.kind == kind and period.holds_time(r.issued_at)]


def processing(records: Sequence[InvoiceRecord], period: Period) -> Processing:
    issued = issued_in(records, period, INVOICE)
    totals = [stage_times(r) for r in issued]
    whole = sum(_micros(r.issued_at - r.created_at) for r in issued if r.issued_at)
    stages = {s: _hours(sum(t.get(s, 0) for t in totals), len(issued)) for s in STAGES}
    return Processing(len(issued), _hours(whole, len(issued)), stages)


def first_time_right(records: Sequence[InvoiceRecord], period: Period) -> Rate:
    issued = issued_in(records, period, INVOICE)
    clean = sum(1 for r in issued if r.rejections == 0)
    return Rate(ratio(clean, len(issued)), clean, len(issued))


def rejection_rate(records: Sequence[InvoiceRecord], period: Period) -> Rate:
    decisions = Counter(
        move.action
        for r in records
        for move in r.moves
        if move.action in ("approve", "reject") and period.holds_time(move.at)
    )
    rejected, decided = decisions["reject"], decisions["approve"] + decisions["reject"]
    return Rate(ratio(rejected, decided), rejected, decided)


def error_rate(records: Sequence[InvoiceRecord], period: Period) -> Rate:
    notes = len(issued_in(records, period, CREDIT_NOTE))
    invoices = len(issued_in(records, period, INVOICE))
    return Rate(ratio(notes, invoices), notes, invoices)


def overdue(records: Sequence[InvoiceRecord], period: Period) -> list[Amount]:
    """Per currency (sorted by code), the outstanding amount of invoices past due at `as_of`."""
    day = period.as_of
    by_currency: dict[str, list[Decimal]] = defaultdict(list)
    for r in records:
        late = r.due_date is not None and r.due_date < day
        if r.kind == INVOICE and r.status in UNPAID_STATES and late and r.outstanding > 0:
            by_currency[r.currency].append(r.outstanding)
    return [Amount(c, sum(v, Decimal(0)), len(v)) for c, v in sorted(by_currency.items())]


def waiting(records: Sequence[InvoiceRecord]) -> list[Waiting]:
    """Per assignee, what waits in each open state; most work first, then by id (None last)."""
    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r.status in OPEN_STATES:
            counts[r.assignee_id][r.status] += 1
    rows = [Waiting(who, c["draft"], c["submitted"], c["approved"]) for who, c in counts.items()]
    return sorted(rows, key=lambda w: (-w.total, w.assignee_id is None, w.assignee_id or ""))


def _by_end(moment: datetime | None, period: Period) -> bool:
    return moment is not None and moment.astimezone(UTC).date() <= period.as_of


def exceptions_by_category(
    exceptions: Sequence[ExceptionRecord], period: Period
) -> list[CategoryCount]:
    """Every category, in CATEGORIES' order, zeros included (the chart keeps its bars)."""
    rows = []
    for category in CATEGORIES:
        mine = [e for e in exceptions if e.category == category]
        opened = sum(1 for e in mine if period.holds_time(e.opened_at))
        resolved = sum(1 for e in mine if period.holds_time(e.resolved_at))
        still = sum(
            1 for e in mine if _by_end(e.opened_at, period) and not _by_end(e.resolved_at, period)
        )
        rows.append(CategoryCount(category, opened, resolved, still))
    return rows


def compute(
    records: Sequence[InvoiceRecord], exceptions: Sequence[ExceptionRecord], period: Period
) -> Kpis:
    return Kpis(
        processing=processing(records, period),
        first_time_right=first_time_right(records, period),
        rejection_rate=rejection_rate(records, period),
        error_rate=error_rate(records, period),
        overdue=overdue(records, period),
        waiting=waiting(records),
        exceptions=exceptions_by_category(exceptions, period),
    )
