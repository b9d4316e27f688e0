"""Reports: collab/invoice/reports.py on the seeded data set of tests/kpi_data.py, and
GET /api/reports/{name} and /api/kpis on a real server over invoices moved through the real
workflow. Every expected value is worked out by hand in the comments; the CSV and XLSX carry
the JSON's numbers."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from pycrdt import Array, Doc, Map

from collab.invoice import reports
from collab.invoice.records import Period
from collab.invoice.reports import AgedRow, CustomerRow, MonthRow, StatusRow, VatRow
from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import Account, db_url, new_invoice, seed
from tests.kpi_data import NOVEMBER, RECORDS
from tests.test_workflow_api import _move, _people, _profile

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


Line = tuple[str, str, str, str]  # id, quantity, unit price, VAT rate


def document(currency: str, customer: str, issue: str, due: str, lines: list[Line]) -> bytes:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    rows = doc.get("lines", type=Array)
    header["currency"] = currency
    header["issue_date"] = issue
    header["due_date"] = due
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map({"name": customer, "address": Map(address)})
    for line_id, quantity, price, rate in lines:
        line = {"id": line_id, "description": f"Item {line_id}", "quantity": quantity}
        rows.append(Map({**line, "unit_price": price, "tax_rate": rate}))
    return doc.get_update()


async def invoice_with(running: Running, creator: Account, content: bytes) -> str:
    """A new invoice whose stored document is `content` (written before any room loads)."""
    invoice_id = await new_invoice(running.server.data_dir, creator)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, content, creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def moved(running: Running, people: dict[str, str], invoice_id: str, *steps: str) -> None:
    """`who:action` steps, e.g. `alice:submit`; a reject carries a reason."""
    for step in steps:
        who, action = step.split(":")
        extra = {"reason": "wrong price"} if action == "reject" else {}
        r = await _move(running, people[who], invoice_id, action, **extra)
        assert r.status_code == 200, (step, r.text)


async def get(running: Running, bearer: str, path: str, status: int = 200) -> Any:
    async with api(running.server, bearer) as http:
        r = await http.get(path)
    assert r.status_code == status, r.text
    return r.json() if r.headers["content-type"].startswith("application/json") else r.content


async def test_reports_and_kpis_on_a_real_server(running: Running) -> None:
    people = await _people(running)
    await _profile(running, people["adam"])
    alice = running.accounts["alice"]
    org = alice.org_id
    # one: 3 x 45.00 + 1 x 10.00 at 20 %: net 145.00, VAT 29.00, gross 174.00; due 11-20.
    one = await invoice_with(
        running,
        alice,
        document(
            "EUR",
            "Client SA",
            "2026-11-05",
            "2026-11-20",
            [("a", "3", "45.00", "20"), ("b", "1", "10.00", "20")],
        ),
    )
    # two: 2 x 100.00 at 20 % + 1 x 50.00 at 5.5 %: net 250.00, VAT 40.00 + 2.75 = 42.75,
    # gross 292.75; due next year. Rejected once on its way.
    two = await invoice_with(
        running,
        alice,
        document(
            "EUR",
            "Beta SARL",
            "2026-11-12",
            "2027-06-30",
            [("a", "2", "100.00", "20"), ("b", "1", "50.00", "5.5")],
        ),
    )
    # three: in dollars, issued in October: net 1000.00, VAT 200.00, gross 1200.00; due 10-30.
    three = await invoice_with(
        running,
        alice,
        document("USD", "Client SA", "2026-10-15", "2026-10-30", [("a", "1", "1000.00", "20")]),
    )
    await moved(running, people, one, "alice:submit", "abe:approve", "abe:issue")
    await moved(
        running,
        people,
        two,
        "alice:submit",
        "abe:reject",
        "alice:submit",
        "abe:approve",
        "abe:issue",
    )
    await moved(running, people, three, "alice:submit", "abe:approve", "abe:issue")
    # A credit note of one's line b (net 10.00, VAT 2.00, gross 12.00), dated the day it is
    # issued (today, after November).
    async with api(running.server, people["alice"]) as http:
        r = await http.post(f"/api/invoices/{one}/credit-notes", json={"lines": ["b"]})
    assert r.status_code == 201, r.text
    await moved(running, people, r.json()["id"], "alice:submit", "abe:approve", "abe:issue")
    # Work waiting: a draft of alice's, assigned to her; a dispute on one.
    four = await new_invoice(running.server.data_dir, alice)
    async with api(running.server, people["alice"]) as http:
        r = await http.put(f"/api/invoices/{four}/assignee", json={"user_id": alice.user_id})
        assert r.status_code == 200, r.text
        r = await http.post(
            f"/api/invoices/{one}/exceptions", json={"category": "dispute", "note": "too dear"}
        )
        assert r.status_code == 201, r.text

    november = f"org={org}&from=2026-11-01&to=2026-11-30"
    base = "/api/reports"
    aged = await get(running, people["vera"], f"{base}/aged_receivables?{november}")
    assert (aged["from"], aged["to"], aged["as_of"]) == ("2026-11-01", "2026-11-30", "2026-11-30")
    # At 11-30: one 174.00 - 12.00 credited = 162.00, 10 days late (0-30); two not due;
    # three 1200.00 USD, 31 days late (10-30 to 11-30).
    assert [(r["currency"], r["bucket"], r["invoices"], r["amount"]) for r in aged["rows"]] == [
        ("EUR", "not_due", 1, "292.75"),
        ("EUR", "0-30", 1, "162.00"),
        ("EUR", "31-60", 0, "0"),
        ("EUR", "61-90", 0, "0"),
        ("EUR", "90+", 0, "0"),
        ("USD", "not_due", 0, "0"),
        ("USD", "0-30", 0, "0"),
        ("USD", "31-60", 1, "1200.00"),
        ("USD", "61-90", 0, "0"),
        ("USD", "90+", 0, "0"),
    ]
    customers = await get(running, people["vera"], f"{base}/revenue_by_customer?{november}")
    # November: two 250.00, one 145.00 (three is October's, the credit note today's).
    assert [list(row.values()) for row in customers["rows"]] == [
        ["Beta SARL", "EUR", 1, 0, "250.00"],
        ["Client SA", "EUR", 1, 0, "145.00"],
    ]
    assert customers["columns"] == ["customer", "currency", "invoices", "credit_notes", "net"]
    autumn = f"org={org}&from=2026-10-01&to=2026-11-30"
    months = await get(running, people["vera"], f"{base}/revenue_by_month?{autumn}")
    # October: three 1000.00 USD; November: 145.00 + 250.00 = 395.00 EUR.
    assert [list(row.values()) for row in months["rows"]] == [
        ["2026-10", "USD", 1, 0, "1000.00"],
        ["2026-11", "EUR", 2, 0, "395.00"],
    ]
    vat = await get(running, people["vera"], f"{base}/vat_collected?{november}")
    # 5.5 %: two's 50.00 -> 2.75; 20 %: one 145.00 -> 29.00 and two 200.00 -> 40.00, so
    # 345.00 -> 69.00.
    assert [list(row.values()) for row in vat["rows"]] == [
        ["2026-11", "EUR", "S", "5.5", "50.00", "2.75"],
        ["2026-11", "EUR", "S", "20", "345.00", "69.00"],
    ]
    day = today().isoformat()
    now = f"org={org}&from={day}&to={day}"
    statuses = await get(running, people["vera"], f"{base}/invoices_by_status?{now}")
    # Created today: the draft four; one 174.00 + two 292.75 = 466.75 EUR issued; three
    # 1200.00 USD issued; the credit note 12.00.
    assert [list(row.values()) for row in statuses["rows"]] == [
        ["invoice", "draft", "EUR", 1, "0.00"],
        ["invoice", "issued", "EUR", 2, "466.75"],
        ["invoice", "issued", "USD", 1, "1200.00"],
        ["credit_note", "issued", "EUR", 1, "12.00"],
    ]
    for answer, query in (
        (aged, november),
        (customers, november),
        (months, autumn),
        (vat, november),
        (statuses, now),
    ):
        path = f"{base}/{answer['name']}?{query}"
        same_numbers(
            answer,
            await get(running, people["vera"], f"{path}&format=csv"),
            await get(running, people["vera"], f"{path}&format=xlsx"),
        )

    kpis = await get(running, people["vera"], f"/api/kpis?{now}")
    # Issued today: one, two, three (and the credit note). Never rejected: one and three, 2/3.
    assert kpis["processing_time"]["invoices"] == 3
    assert kpis["processing_time"]["hours"] is not None
    assert kpis["first_time_right"] | {"definition": ""} == {
        "definition": "", "value": "66.67", "numerator": 2, "denominator": 3,
    }  # fmt: skip
    # Decisions today: approvals of one, two, three and the credit note (4), one rejection:
    # 1 / 5 = 20.00 %. Error rate: 1 credit note / 3 invoices = 33.33 %.
    assert (kpis["rejection_rate"]["value"], kpis["rejection_rate"]["denominator"]) == ("20.00", 5)
    assert (kpis["error_rate"]["numerator"], kpis["error_rate"]["value"]) == (1, "33.33")
    assert kpis["payment_delay"]["value"] is None and "payments" in kpis["payment_delay"]["note"]
    # Overdue today: one 162.00 EUR (due 11-20), three 1200.00 USD (due 10-30).
    assert kpis["overdue_amount"]["amounts"] == [
        {"currency": "EUR", "amount": "162.00", "invoices": 1},
        {"currency": "USD", "amount": "1200.00", "invoices": 1},
    ]
    assert kpis["work_waiting"]["people"] == [
        {
            "assignee": {"id": alice.user_id, "name": "alice"},
            "draft": 1,
            "submitted": 0,
            "approved": 0,
            "total": 1,
        }
    ]
    dispute = kpis["exceptions_by_category"]["categories"][0]
    assert dispute == {"category": "dispute", "opened": 1, "resolved": 0, "open": 1}


async def test_who_may_read_reports(running: Running) -> None:
    people = await _people(running)
    org = running.accounts["alice"].org_id
    others = await seed(running.server.data_dir, org="Other", users={"olga": Role.ADMIN})
    olga = await token(running.server, others["olga"])
    await get(running, people["vera"], f"/api/kpis?org={org}")  # a viewer reads them
    await get(running, people["vera"], f"/api/reports/vat_collected?org={org}")
    await get(running, olga, f"/api/kpis?org={org}", status=404)  # another tenant's
    await get(running, olga, f"/api/reports/aged_receivables?org={org}", status=404)
    await get(running, people["vera"], f"/api/reports/nope?org={org}", status=400)
    await get(running, people["vera"], f"/api/kpis?org={org}&from=2026-11-02&to=2026-11-01", 400)
    await get(running, people["vera"], f"/api/reports/vat_collected?org={org}&format=pdf", 400)
