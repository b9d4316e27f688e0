"""Reports: collab/invoice/reports.py on the seeded data set of tests/kpi_data.py, and
GET /api/reports/{name} and /api/kpis on a real server over invoices moved through the real
workflow. Every expected value is worked out by hand in the comments; the CSV and XLSX carry
the JSON's numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from collab.invoice import reports
from collab.invoice.records import Period
from collab.invoice.reports import AgedRow, CustomerRow, MonthRow, StatusRow, VatRow
from tests.kpi_data import NOVEMBER, RECORDS

D = Decimal


def test_buckets_by_days_past_due() -> None:
    assert [reports.bucket_of(n) for n in (-1, 0, 30, 31, 60, 61, 90, 91)] == [
        "not_due", "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+",
    ]  # fmt: skip


def test_aged_receivables() -> None:
    # At 11-30. EUR: B 220.00 not due (12-07); A 120.00 20 days late; F 240.00 45 days;
    # L 30.00 exactly 90 days (61-90); D 60.00 - 12.00 credited = 48.00, 91 days (90+).
    # USD: C 1200.00, 5 days. Every bucket of each currency, zeros too.
    assert reports.aged_receivables(RECORDS, NOVEMBER) == [
        AgedRow("EUR", "not_due", 1, D("220.00")),
        AgedRow("EUR", "0-30", 1, D("120.00")),
        AgedRow("EUR", "31-60", 1, D("240.00")),
        AgedRow("EUR", "61-90", 1, D("30.00")),
        AgedRow("EUR", "90+", 1, D("48.00")),
        AgedRow("USD", "not_due", 0, D("0")),
        AgedRow("USD", "0-30", 1, D("1200.00")),
        AgedRow("USD", "31-60", 0, D("0")),
        AgedRow("USD", "61-90", 0, D("0")),
        AgedRow("USD", "90+", 0, D("0")),
    ]


def test_revenue_by_customer_subtracts_credit_notes_and_never_mixes_currencies() -> None:
    # Issued in November: A Acme 100.00 EUR, B Beta 200.00 EUR, C Acme 1000.00 USD, and the
    # credit note E, Acme -10.00 EUR. Acme in EUR: 100.00 - 10.00 = 90.00.
    assert reports.revenue_by_customer(RECORDS, NOVEMBER) == [
        CustomerRow("Beta", "EUR", 1, 0, D("200.00")),
        CustomerRow("Acme", "EUR", 1, 1, D("90.00")),
        CustomerRow("Acme", "USD", 1, 0, D("1000.00")),
    ]


def test_revenue_by_month() -> None:
    autumn = Period(date(2026, 8, 1), date(2026, 11, 30), today=date(2026, 12, 10))
    # August: D 50.00 + L 25.00 = 75.00; October: F 200.00; November EUR: A 100.00 + B 200.00
    # - E 10.00 = 290.00; November USD: C 1000.00.
    assert reports.revenue_by_month(RECORDS, autumn) == [
        MonthRow("2026-08", "EUR", 2, 0, D("75.00")),
        MonthRow("2026-10", "EUR", 1, 0, D("200.00")),
        MonthRow("2026-11", "EUR", 2, 1, D("290.00")),
        MonthRow("2026-11", "USD", 1, 0, D("1000.00")),
    ]


def test_vat_collected_per_rate() -> None:
    # November, EUR at 10 %: B, base 200.00, VAT 20.00. EUR at 20 %: A 100.00 / 20.00 less the
    # credit note E 10.00 / 2.00 = 90.00 / 18.00. USD at 20 %: C 1000.00 / 200.00.
    assert reports.vat_collected(RECORDS, NOVEMBER) == [
        VatRow("2026-11", "EUR", "S", D("10"), D("200.00"), D("20.00")),
        VatRow("2026-11", "EUR", "S", D("20"), D("90.00"), D("18.00")),
        VatRow("2026-11", "USD", "S", D("20"), D("1000.00"), D("200.00")),
    ]


def test_invoices_by_status() -> None:
    # Created in November: drafts G1, G2 (0.00 each); submitted H 500.00; approved I 80.00;
    # issued A 120.00 + B 220.00 = 340.00; discarded K; the credit note E 12.00. C, D, F and L
    # were created before November.
    assert reports.invoices_by_status(RECORDS, NOVEMBER) == [
        StatusRow("invoice", "draft", "EUR", 2, D("0.00")),
        StatusRow("invoice", "submitted", "EUR", 1, D("500.00")),
        StatusRow("invoice", "approved", "EUR", 1, D("80.00")),
        StatusRow("invoice", "issued", "EUR", 2, D("340.00")),
        StatusRow("invoice", "discarded", "EUR", 1, D("0.00")),
        StatusRow("credit_note", "issued", "EUR", 1, D("12.00")),
    ]


def test_every_report_has_a_definition_and_a_row_type() -> None:
    assert set(reports.REPORTS) == set(reports.DEFINITIONS) == set(reports.ROW_TYPES)


# -- on a real server ---------------------------------------------------------------------


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def same_numbers(answer: dict[str, Any], csv_content: bytes, xlsx_content: bytes) -> None:
    """The CSV is the JSON's text cell for cell; the XLSX holds the same values, amounts as
    numbers (compared as decimals)."""
    columns = answer["columns"]
    expected = [[str(row[c]) for c in columns] for row in answer["rows"]]
    assert csv_rows(csv_content) == [columns, *expected]
    sheet = xlsx_rows(xlsx_content)
    assert sheet[0] == columns
    assert len(sheet) == len(expected) + 1
    for got, want in zip(sheet[1:], answer["rows"], strict=True):
        for cell, column in zip(got, columns, strict=True):
            value = want[column]
            if isinstance(value, str) and isinstance(cell, int | float):
                assert D(str(cell)) == D(value), (column, cell, value)
            else:
                assert cell == value, (column, cell, value)


def today() -> date:
    return datetime.now(UTC).date()
