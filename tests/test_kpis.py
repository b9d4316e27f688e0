"""The KPIs of collab/invoice/kpis.py on the seeded data set of tests/kpi_data.py, every
expected value worked out by hand in the comments (never produced by running the code)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from collab.invoice import kpis
from collab.invoice.kpis import Amount, CategoryCount, Rate, Waiting
from collab.invoice.records import Period
from tests.kpi_data import EXCEPTIONS, NOVEMBER, RECORDS, A, B, C


def test_the_snapshot_day_is_the_periods_end_or_today() -> None:
    assert NOVEMBER.as_of == date(2026, 11, 30)  # asked on 12-10, after the period
    mid = Period(date(2026, 11, 1), date(2026, 11, 30), today=date(2026, 11, 12))
    assert mid.as_of == date(2026, 11, 12)  # no aging into the future


def test_stage_times_add_up_to_the_whole() -> None:
    hour = 3_600_000_000  # microseconds
    # B: draft 10:00-08:00 = 2 h, then 11-05 16:00 to 11-06 08:00 = 16 h; submitted 6 h + 4 h;
    # approved 11-06 12:00 to 11-07 12:00 = 24 h. 18 + 10 + 24 = 52 = 11-05 08:00 to 11-07 12:00.
    assert kpis.stage_times(B) == {
        "draft": 18 * hour,
        "submitted": 10 * hour,
        "approved": 24 * hour,
    }
    assert kpis.stage_times(A) == {"draft": 4 * hour, "submitted": 20 * hour, "approved": 2 * hour}


def test_processing_time_over_the_invoices_issued_in_the_period() -> None:
    result = kpis.processing(RECORDS, NOVEMBER)
    # Issued in November: A (11-03), B (11-07), C (11-10); D, F, L were issued before, E is a
    # credit note. Whole: (26 + 52 + 504) / 3 = 582 / 3 = 194.00 h.
    assert result.invoices == 3
    assert result.hours == Decimal("194.00")
    # draft (4 + 18 + 2) / 3 = 8.00; submitted (20 + 10 + 22) / 3 = 17.333.. -> 17.33;
    # approved (2 + 24 + 480) / 3 = 168.666.. -> 168.67 (half up).
    assert result.stages == {
        "draft": Decimal("8.00"),
        "submitted": Decimal("17.33"),
        "approved": Decimal("168.67"),
    }


def test_first_time_right_rejection_and_error_rates() -> None:
    # A and C were never rejected, B was: 2 / 3 = 66.666..% -> 66.67.
    assert kpis.first_time_right(RECORDS, NOVEMBER) == Rate(Decimal("66.67"), 2, 3)
    # Decisions in November: approvals A (11-03), B (11-06), E (11-19), I (11-18) = 4 (C's was
    # on 10-21); rejections B (11-05), I (11-18) = 2. 2 / (4 + 2) = 33.333..% -> 33.33.
    assert kpis.rejection_rate(RECORDS, NOVEMBER) == Rate(Decimal("33.33"), 2, 6)
    # Credit notes issued in November: E = 1; invoices issued: 3. 1 / 3 -> 33.33.
    assert kpis.error_rate(RECORDS, NOVEMBER) == Rate(Decimal("33.33"), 1, 3)


def test_nothing_to_divide_by_is_null_not_zero() -> None:
    empty = Period(date(2025, 1, 1), date(2025, 1, 31), today=date(2026, 12, 10))
    assert kpis.first_time_right(RECORDS, empty) == Rate(None, 0, 0)
    assert kpis.processing(RECORDS, empty).hours is None


def test_overdue_amount_per_currency() -> None:
    # Late at 11-30: A 120.00 (due 11-10), D 60.00 - 12.00 credited = 48.00 (due 08-31),
    # F 240.00 (due 10-16), L 30.00 (due 09-01): EUR 120 + 48 + 240 + 30 = 438.00, 4 invoices.
    # C 1200.00 USD (due 11-25). B is due 12-07; H and I are not issued. Never one total.
    assert kpis.overdue(RECORDS, NOVEMBER) == [
        Amount("EUR", Decimal("438.00"), 4),
        Amount("USD", Decimal("1200.00"), 1),
    ]


def test_work_waiting_per_person() -> None:
    # alice: drafts G1, G2 (2); abe: approved I (1); nobody: submitted H (1). K is discarded.
    # Most work first; at equal work a person before "nobody".
    assert kpis.waiting(RECORDS) == [
        Waiting("alice", 2, 0, 0),
        Waiting("abe", 0, 0, 1),
        Waiting(None, 0, 1, 0),
    ]


def test_exceptions_by_category() -> None:
    # dispute: X1 opened 11-04 and resolved 11-06 in the period; X2 opened in October, still
    # open at 11-30. pricing_error: X3 opened 11-05, resolved 12-02 (after the end): open at
    # 11-30. missing_po: X4 opened 11-17, open.
    assert kpis.exceptions_by_category(EXCEPTIONS, NOVEMBER) == [
        CategoryCount("dispute", 1, 1, 1),
        CategoryCount("refund_request", 0, 0, 0),
        CategoryCount("cancellation_request", 0, 0, 0),
        CategoryCount("pricing_error", 1, 0, 1),
        CategoryCount("missing_po", 1, 0, 1),
        CategoryCount("other", 0, 0, 0),
    ]


def test_compute_gathers_every_kpi_and_each_has_a_definition() -> None:
    result = kpis.compute(RECORDS, EXCEPTIONS, NOVEMBER)
    assert result.processing.hours == Decimal("194.00")
    assert result.error_rate.value == Decimal("33.33")
    assert result.payment_delay is None and result.dso is None  # no payments yet
    assert set(kpis.DEFINITIONS) == {
        "processing_time",
        "first_time_right",
        "rejection_rate",
        "error_rate",
        "payment_delay",
        "dso",
        "overdue_amount",
        "work_waiting",
        "exceptions_by_category",
    }
    assert C.issued_at is not None and NOVEMBER.holds_time(C.issued_at)


def test_payments_reduce_what_is_overdue() -> None:
    # A (120.00, due 11-10) partly paid: 50.00 -> 70.00 still owed; F (240.00) overpaid by a
    # customer who sent 250.00 -> owes nothing and is left out, though still issued here.
    paid = {"A": Decimal("50.00"), "F": Decimal("250.00")}
    records = [
        replace(r, paid=paid[r.id], status="partially_paid" if r.id == "A" else r.status)
        if r.id in paid
        else r
        for r in RECORDS
    ]
    # EUR: A 70.00 + D 48.00 + L 30.00 = 148.00, 3 invoices; USD unchanged.
    assert kpis.overdue(records, NOVEMBER) == [
        Amount("EUR", Decimal("148.00"), 3),
        Amount("USD", Decimal("1200.00"), 1),
    ]
