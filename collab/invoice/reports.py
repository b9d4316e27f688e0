"""The reports of issue 14 as pure arithmetic over records.py's values: each a list of rows.

Money is never added across currencies: every row that holds an amount names its currency.
Issued documents are dated by their issue date (the legal date a VAT return uses); a credit
note subtracts in the period of its own issue date. Each report has its definition in
`DEFINITIONS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from collab.invoice.records import (
    CREDIT_NOTE,
    INVOICE,
    UNPAID_STATES,
    InvoiceRecord,
    Period,
    month_of,
)

BUCKETS = ("not_due", "0-30", "31-60", "61-90", "90+")
STATUS_ORDER = (
    "draft",
    "submitted",
    "approved",
    "issued",
    "partially_paid",
    "paid",
    "cancelled",
    "discarded",
)
ZERO = Decimal(0)

DEFINITIONS: dict[str, str] = {
    "aged_receivables": (
        "What customers owe on issued, unpaid invoices at the period's end (or today), less the "
        "credit notes issued against them, by days past the due date: not yet due, 0-30, "
        "31-60, 61-90 and over 90 days; an invoice without a due date is due on its issue "
        "date. Per currency."
    ),
    "revenue_by_customer": (
        "Net amount (before VAT) of the invoices issued in the period less that of the credit "
        "notes issued in it, per customer and currency."
    ),
    "revenue_by_month": (
        "Net amount (before VAT) of the invoices issued in the period less that of the credit "
        "notes issued in it, per month of issue and currency."
    ),
    "vat_collected": (
        "VAT of the invoices issued in the period, from each one's VAT breakdown, less that of "
        "the credit notes issued in it, per month of issue, currency, VAT category and rate."
    ),
    "invoices_by_status": (
        "Invoices and credit notes created in the period, by their current status: how many, "
        "and their gross amount per currency."
    ),
}


@dataclass(frozen=True, slots=True)
class AgedRow:
    currency: str
    bucket: str
    invoices: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CustomerRow:
    customer: str
    currency: str
    invoices: int
    credit_notes: int
    net: Decimal


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str
    currency: str
    invoices: int
    credit_notes: int
    net: Decimal


@dataclass(frozen=True, slots=True)
class VatRow:
    month: str
    currency: str
    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class StatusRow:
    kind: str
    status: str
    currency: str
    count: int
    gross: Decimal


Row = AgedRow | CustomerRow | MonthRow | VatRow | StatusRow


def bucket_of(days_past_due: int) -> str:
    if days_past_due < 0:
        return "not_due"
    if days_past_due <= 30:
        return "0-30"
    if days_past_due <= 60:
        return "31-60"
    return "61-90" if days_past_due <= 90 else "90+"


def aged_receivables(records: Sequence[InvoiceRecord], period: Period) -> list[AgedRow]:
    """Every bucket of every currency owed (zeros included), currencies in code order."""
    day = period.as_of
    owed: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for r in records:
        if r.kind != INVOICE or r.status not in UNPAID_STATES or r.outstanding <= 0:
            continue
        if r.issue_date is None or r.issue_date > day:
            continue
        due = r.due_date or r.issue_date
        owed[(r.currency, bucket_of((day - due).days))].append(r.outstanding)
    currencies = sorted({currency for currency, _ in owed})
    return [
        AgedRow(c, b, len(owed[(c, b)]), sum(owed[(c, b)], ZERO))
        for c in currencies
        for b in BUCKETS
    ]


def _issued(records: Sequence[InvoiceRecord], period: Period) -> list[InvoiceRecord]:
    """Invoices and credit notes issued in the period (by issue date), cancelled ones too: a
    cancelled invoice was issued, and its credit note subtracts."""
    return [r for r in records if r.issued_at is not None and period.holds(r.issue_date)]


def _sign(record: InvoiceRecord) -> int:
    return -1 if record.kind == CREDIT_NOTE else 1


@dataclass
class _Tally:
    invoices: int = 0
    credit_notes: int = 0
    net: Decimal = ZERO

    def add(self, record: InvoiceRecord) -> None:
        if record.kind == CREDIT_NOTE:
            self.credit_notes += 1
        else:
            self.invoices += 1
        self.net += _sign(record) * record.net


def revenue_by_customer(records: Sequence[InvoiceRecord], period: Period) -> list[CustomerRow]:
    """Per currency (code order), the biggest customers first, then by name."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for r in _issued(records, period):
        tallies[(r.customer, r.currency)].add(r)
    rows = [CustomerRow(k[0], k[1], t.invoices, t.credit_notes, t.net) for k, t in tallies.items()]
    return sorted(rows, key=lambda row: (row.currency, -row.net, row.customer))


def revenue_by_month(records: Sequence[InvoiceRecord], period: Period) -> list[MonthRow]:
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for r in _issued(records, period):
        assert r.issue_date is not None  # _issued keeps only dated ones
        tallies[(month_of(r.issue_date), r.currency)].add(r)
    rows = [MonthRow(k[0], k[1], t.invoices, t.credit_notes, t.net) for k, t in tallies.items()]
    return sorted(rows, key=lambda row: (row.month, row.currency))


def vat_collected(records: Sequence[InvoiceRecord], period: Period) -> list[VatRow]:
    groups: dict[tuple[str, str, str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for r in _issued(records, period):
        assert r.issue_date is not None
        for vat in r.vat:
            key = (month_of(r.issue_date), r.currency, vat.category, vat.rate)
            groups[key][0] += _sign(r) * vat.base
            groups[key][1] += _sign(r) * vat.amount
    return [VatRow(*key, base, amount) for key, (base, amount) in sorted(groups.items())]


def invoices_by_status(records: Sequence[InvoiceRecord], period: Period) -> list[StatusRow]:
    groups: dict[tuple[str, str, str], list[Decimal]] = defaultdict(list)
    for r in records:
        if period.holds_time(r.created_at):
            groups[(r.kind, r.status, r.currency)].append(r.gross)

    def order(key: tuple[str, str, str]) -> tuple[int, int, str]:
        kind, status, currency = key
        rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
        return (kind != INVOICE, rank, currency)

    return [
        StatusRow(kind, status, currency, len(groups[key]), sum(groups[key], ZERO))
        for key in sorted(groups, key=order)
        for kind, status, currency in [key]
    ]


ROW_TYPES: dict[str, type[Row]] = {
    "aged_receivables": AgedRow,
    "revenue_by_customer": CustomerRow,
    "revenue_by_month": MonthRow,
    "vat_collected": VatRow,
    "invoices_by_status": StatusRow,
}
REPORTS: dict[str, Callable[[Sequence[InvoiceRecord], Period], Sequence[Row]]] = {
    "aged_receivables": aged_receivables,
    "revenue_by_customer": revenue_by_customer,
    "revenue_by_month": revenue_by_month,
    "vat_collected": vat_collected,
    "invoices_by_status": invoices_by_status,
}
