"""A seeded data set for the KPI and report tests: a small organization's invoices, credit note
and exceptions, with times chosen so that every expected value can be worked out by hand.

The period is November 2026 and the question is asked on 2026-12-10, so snapshots are taken at
the period's end, 2026-11-30 (`Period.as_of`). Times are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from collab.invoice.records import ExceptionRecord, InvoiceRecord, Move, Period, VatLine

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30), today=date(2026, 12, 10))


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def d(text: str) -> Decimal:
    return Decimal(text)


def moves(*steps: tuple[datetime, str, str, str]) -> tuple[Move, ...]:
    return tuple(Move(*step) for step in steps)


def through(
    created: datetime, submit: datetime, approve: datetime, issue: datetime
) -> tuple[Move, ...]:
    """The straight path: submit, approve, issue."""
    return moves(
        (submit, "submit", "draft", "submitted"),
        (approve, "approve", "submitted", "approved"),
        (issue, "issue", "approved", "issued"),
    )


def vat20(base: str) -> tuple[VatLine, ...]:
    return (VatLine("S", d("20"), d(base), d(base) * d("0.20")),)


# A: 4 h in draft, 20 h submitted, 2 h approved: 26 h. Due 11-10: 20 days late at 11-30.
A = InvoiceRecord(
    "A", "invoice", "issued", at(11, 2, 9), "EUR", "Acme", d("100.00"), d("120.00"),
    number="F1", issue_date=date(2026, 11, 3), due_date=date(2026, 11, 10),
    moves=through(at(11, 2, 9), at(11, 2, 13), at(11, 3, 9), at(11, 3, 11)),
    vat=vat20("100.00"),
)  # fmt: skip
# B: rejected once. draft 2 h + 16 h, submitted 6 h + 4 h, approved 24 h: 52 h. Not yet due.
B = InvoiceRecord(
    "B", "invoice", "issued", at(11, 5, 8), "EUR", "Beta", d("200.00"), d("220.00"),
    number="F2", issue_date=date(2026, 11, 7), due_date=date(2026, 12, 7),
    moves=moves(
        (at(11, 5, 10), "submit", "draft", "submitted"),
        (at(11, 5, 16), "reject", "submitted", "draft"),
        (at(11, 6, 8), "submit", "draft", "submitted"),
        (at(11, 6, 12), "approve", "submitted", "approved"),
        (at(11, 7, 12), "issue", "approved", "issued"),
    ),
    vat=(VatLine("S", d("10"), d("200.00"), d("20.00")),),
)  # fmt: skip
# C: created in October, issued 11-10: draft 2 h, submitted 22 h, approved 480 h (504 h = 21
# days). In dollars; due 11-25: 5 days late.
C = InvoiceRecord(
    "C", "invoice", "issued", at(10, 20, 10), "USD", "Acme", d("1000.00"), d("1200.00"),
    number="F3", issue_date=date(2026, 11, 10), due_date=date(2026, 11, 25),
    moves=through(at(10, 20, 10), at(10, 20, 12), at(10, 21, 10), at(11, 10, 10)),
    vat=vat20("1000.00"),
)  # fmt: skip
# D: issued in August, due 08-31: 91 days late at 11-30; 12.00 of it credited by E.
D = InvoiceRecord(
    "D", "invoice", "issued", at(8, 1, 10), "EUR", "Acme", d("50.00"), d("60.00"),
    number="F0", issue_date=date(2026, 8, 1), due_date=date(2026, 8, 31),
    moves=through(at(8, 1, 10), at(8, 1, 11), at(8, 1, 12), at(8, 1, 13)),
    vat=vat20("50.00"), credited=d("12.00"),
)  # fmt: skip
# E: the credit note of part of D, issued 11-20.
E = InvoiceRecord(
    "E", "credit_note", "issued", at(11, 19, 9), "EUR", "Acme", d("10.00"), d("12.00"),
    number="A1", issue_date=date(2026, 11, 20),
    moves=through(at(11, 19, 9), at(11, 19, 10), at(11, 19, 11), at(11, 20, 9)),
    vat=vat20("10.00"), credits="D",
)  # fmt: skip
# F: issued 10-01, due 10-16: 45 days late at 11-30.
F = InvoiceRecord(
    "F", "invoice", "issued", at(9, 30, 10), "EUR", "Gamma", d("200.00"), d("240.00"),
    number="F00", issue_date=date(2026, 10, 1), due_date=date(2026, 10, 16),
    moves=through(at(9, 30, 10), at(9, 30, 11), at(9, 30, 12), at(10, 1, 9)),
    vat=vat20("200.00"),
)  # fmt: skip
# L: due 09-01: exactly 90 days late at 11-30 (the 61-90 bucket's last day).
L = InvoiceRecord(
    "L", "invoice", "issued", at(8, 20, 8), "EUR", "Gamma", d("25.00"), d("30.00"),
    number="F01", issue_date=date(2026, 8, 20), due_date=date(2026, 9, 1),
    moves=through(at(8, 20, 8), at(8, 20, 9), at(8, 20, 9), at(8, 20, 10)),
    vat=vat20("25.00"),
)  # fmt: skip
# Work waiting: two drafts of alice's, a submitted one (no assignee: any approver), an
# approved one of abe's (rejected once on the way), a discarded draft (waits for no one).
G1 = InvoiceRecord(
    "G1", "invoice", "draft", at(11, 15), "EUR", "", d("0.00"), d("0.00"), assignee_id="alice"
)
G2 = InvoiceRecord(
    "G2", "invoice", "draft", at(11, 21), "EUR", "", d("0.00"), d("0.00"), assignee_id="alice"
)
H = InvoiceRecord(
    "H", "invoice", "submitted", at(11, 16), "EUR", "Delta", d("500.00"), d("500.00"),
    moves=moves((at(11, 17, 9), "submit", "draft", "submitted")),
)  # fmt: skip
I = InvoiceRecord(  # noqa: E741 - the data set's letters
    "I", "invoice", "approved", at(11, 18), "EUR", "Delta", d("80.00"), d("80.00"),
    assignee_id="abe",
    moves=moves(
        (at(11, 18, 10), "submit", "draft", "submitted"),
        (at(11, 18, 11), "reject", "submitted", "draft"),
        (at(11, 18, 12), "submit", "draft", "submitted"),
        (at(11, 18, 14), "approve", "submitted", "approved"),
    ),
)  # fmt: skip
K = InvoiceRecord(
    "K", "invoice", "discarded", at(11, 3), "EUR", "", d("0.00"), d("0.00"),
    moves=moves((at(11, 3, 1), "discard", "draft", "discarded")),
)  # fmt: skip

RECORDS = [A, B, C, D, E, F, L, G1, G2, H, I, K]

EXCEPTIONS = [
    ExceptionRecord("X1", "A", "dispute", at(11, 4), resolved_at=at(11, 6)),
    ExceptionRecord("X2", "D", "dispute", at(10, 10)),
    ExceptionRecord("X3", "B", "pricing_error", at(11, 5), resolved_at=at(12, 2)),
    ExceptionRecord("X4", "H", "missing_po", at(11, 17)),
]
