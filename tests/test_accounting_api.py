"""The accounting export on a real server: invoices, a credit note and payments moved through
the real workflow, exported as a FEC and as a CSV journal, and read back by a reader written
here from the format rules (LPF art. A47 A-1), not by our writer. Every expected amount is
worked out by hand in the comments. The chart of accounts and what the export refuses are in
tests/test_accounting_chart.py, which uses the helpers here."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pycrdt import Array, Doc, Map

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import Account, db_url, new_invoice, seed
from tests.test_organization_profile import SIREN
from tests.test_workflow_api import _move, _people, _profile

D = Decimal
FEC_COLUMNS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
]  # fmt: skip
# Pairs that are empty together or filled together; every other field is always filled.
PAIRS = (("CompAuxNum", "CompAuxLib"), ("EcritureLet", "DateLet"), ("Montantdevise", "Idevise"))
REQUIRED = [c for c in FEC_COLUMNS if not any(c in pair for pair in PAIRS)]

Line = tuple[str, str, str, str]  # id, quantity, unit price, VAT rate


def document(currency: str, customer: dict[str, str], issue: date, lines: list[Line]) -> bytes:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    rows = doc.get("lines", type=Array)
    header["currency"] = currency
    header["issue_date"] = issue.isoformat()
    header["due_date"] = (issue + timedelta(days=30)).isoformat()
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map({**customer, "address": Map(address)})
    for line_id, quantity, price, rate in lines:
        line = {"id": line_id, "description": f"Item {line_id}", "quantity": quantity}
        rows.append(Map({**line, "unit_price": price, "tax_rate": rate}))
    return doc.get_update()


async def issued(running: Running, people: dict[str, str], creator: Account, content: bytes) -> str:
    """An invoice whose document is `content`, submitted, approved and issued; its id."""
    invoice_id = await new_invoice(running.server.data_dir, creator)
    engine = create_engine(db_url(running.server.data_dir))
    entry = LogEntry(invoice_id, 1, content, creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    await move(running, people, invoice_id)
    return invoice_id


async def move(running: Running, people: dict[str, str], invoice_id: str) -> None:
    for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
        r = await _move(running, people[who], invoice_id, action)
        assert r.status_code == 200, (action, r.text)


async def people_and_cleo(running: Running) -> tuple[dict[str, str], str]:
    """The bearer tokens of tests/test_workflow_api.py's people and of cleo, an accountant added
    to the organization (and to `running.accounts`); the seller's profile is saved."""
    people = await _people(running)
    extra = await seed(running.server.data_dir, users={"cleo": Role.ACCOUNTANT})
    running.accounts.update(extra)
    cleo = await token(running.server, extra["cleo"])
    await _profile(running, people["adam"])
    return people, cleo


async def pay(running: Running, bearer: str, invoice_id: str, amount: str, on: date) -> None:
    body = {"amount": amount, "date": on.isoformat(), "method": "transfer"}
    async with api(running.server, bearer) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/payments", json=body)
    assert r.status_code == 201, r.text


async def number_of(running: Running, bearer: str, invoice_id: str) -> str:
    async with api(running.server, bearer) as http:
        r = await http.get(f"/api/invoices/{invoice_id}")
    number: str = r.json()["number"]
    return number


def read_fec(content: bytes, separator: str = "|") -> list[dict[str, str]]:
    """The FEC read back against the rules: ISO 8859-15 text, CR LF records, the 18 names
    first, 18 fields a record, AAAAMMJJ dates, comma decimals, pairs, required fields."""
    text = content.decode("iso-8859-15")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    records = text[:-2].split("\r\n")
    assert records[0].split(separator) == FEC_COLUMNS
    rows = []
    for record in records[1:]:
        fields = record.split(separator)
        assert len(fields) == 18, record
        row = dict(zip(FEC_COLUMNS, fields, strict=True))
        for name in ("EcritureDate", "PieceDate", "ValidDate"):
            assert re.fullmatch(r"\d{8}", row[name]), (name, record)
            datetime.strptime(row[name], "%Y%m%d")  # a real day
        for name in ("Debit", "Credit"):
            assert re.fullmatch(r"\d+,\d{2}", row[name]), (name, record)
        assert (D(row["Debit"].replace(",", ".")) == 0) != (D(row["Credit"].replace(",", ".")) == 0)
        assert all(row[name] for name in REQUIRED), record
        for one, other in PAIRS:
            assert bool(row[one]) == bool(row[other]), (one, other, record)
        assert re.fullmatch(r"\d{3}\w*", row["CompteNum"]), record
        rows.append(row)
    return rows


def amount(text: str) -> Decimal:
    return D(text.replace(",", "."))


def by_entry(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        found[row["EcritureNum"]].append(row)
    return dict(found)


def postings(rows: list[dict[str, str]]) -> set[tuple[str, str, str, str]]:
    return {(r["CompteNum"], r["CompAuxNum"], r["Debit"], r["Credit"]) for r in rows}


async def test_the_fec_and_journal_of_a_seeded_period(running: Running) -> None:
    people, cleo = await people_and_cleo(running)
    alice = running.accounts["alice"]
    org = alice.org_id
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=30), today
    client = {"name": "Client SA", "siren": "732829320"}
    # A, issued on the first day of the period: 3 x 45.00 = 135.00 at 20 % (VAT 27.00) and
    # 1 x 50.00 at 5.5 % (VAT 2.75): net 185.00, VAT 29.75, gross 214.75.
    a = await issued(
        running,
        people,
        alice,
        document("EUR", client, start, [("a", "3", "45.00", "20"), ("b", "1", "50.00", "5.5")]),
    )
    # B, ten days ago, to a customer whose name would be a formula in a spreadsheet:
    # 2 x 100.00 at 20 %: net 200.00, VAT 40.00, gross 240.00.
    beta = {"name": "=SUM(1+1)|Beta"}
    b = await issued(
        running,
        people,
        alice,
        document("EUR", beta, today - timedelta(days=10), [("a", "2", "100.00", "20")]),
    )
    # C, the day before the period: 1 x 10.00 at 20 %, gross 12.00. Not in the sales; its
    # payment, inside the period, is.
    c = await issued(
        running,
        people,
        alice,
        document("EUR", client, start - timedelta(days=1), [("a", "1", "10.00", "20")]),
    )
    # A credit note of A's line b, issued today (the last day): net 50.00, VAT 2.75, gross 52.75.
    async with api(running.server, people["alice"]) as http:
        r = await http.post(f"/api/invoices/{a}/credit-notes", json={"lines": ["b"]})
    assert r.status_code == 201, r.text
    note = r.json()["id"]
    await move(running, people, note)
    # Payments: 100.00 of A five days ago (partial), B's 240.00 today (full), C's 12.00
    # yesterday (full).
    await pay(running, cleo, a, "100.00", today - timedelta(days=5))
    await pay(running, cleo, b, "240.00", today)
    await pay(running, cleo, c, "12.00", today - timedelta(days=1))
    num = {
        k: await number_of(running, cleo, v)
        for k, v in {"a": a, "b": b, "c": c, "note": note}.items()
    }

    period = f"from={start.isoformat()}&to={end.isoformat()}"
    async with api(running.server, cleo) as http:
        first = await http.get(f"/api/orgs/{org}/exports/fec?{period}")
        again = await http.get(f"/api/orgs/{org}/exports/fec?{period}")
        tabbed = await http.get(f"/api/orgs/{org}/exports/fec?{period}&separator=tab")
        summary = await http.get(
            f"/api/orgs/{org}/exports/fec?{period}", headers={"Accept": "application/json"}
        )
        csv_file = await http.get(f"/api/orgs/{org}/exports/journal.csv?{period}")
    async with api(running.server, people["adam"]) as http:
        audit = await http.get(f"/api/orgs/{org}/audit")
    assert first.status_code == 200, first.text
    assert first.content == again.content  # the same period twice: the same bytes
    assert first.headers["content-type"] == "text/plain; charset=iso-8859-15"
    name = f"{SIREN[:9]}FEC{end.strftime('%Y%m%d')}.txt"
    assert first.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert "é".encode("iso-8859-15") in first.content  # "TVA collectée": Latin-9, not UTF-8

    rows = read_fec(first.content)
    assert read_fec(tabbed.content, "\t") == rows
    entries = by_entry(rows)
    # Balanced per entry, and in all: 214.75 + 240.00 + 52.75 (sales) + 100.00 + 240.00 + 12.00
    # (bank) = 859.50 on each side, in 5 + 3 + 3 + 2 + 2 + 2 = 17 lines.
    for number, lines in entries.items():
        debit = sum(amount(r["Debit"]) for r in lines)
        assert debit == sum(amount(r["Credit"]) for r in lines), number
        assert len({(r["EcritureDate"], r["PieceRef"], r["PieceDate"]) for r in lines}) == 1
    assert sum(amount(r["Debit"]) for r in rows) == sum(amount(r["Credit"]) for r in rows)
    assert sum(amount(r["Debit"]) for r in rows) == D("859.50")
    assert len(rows) == 17
    # Numbers continuous per journal, in date order (sales first on a shared day).
    assert list(entries) == ["VE000001", "VE000002", "BQ000001", "BQ000002", "VE000003", "BQ000003"]
    day = {
        k: d.strftime("%Y%m%d")
        for k, d in {"start": start, "b": today - timedelta(days=10)}.items()
    }
    assert [entries[n][0]["EcritureDate"] for n in entries] == [
        day["start"],
        day["b"],
        (today - timedelta(days=5)).strftime("%Y%m%d"),
        (today - timedelta(days=1)).strftime("%Y%m%d"),
        end.strftime("%Y%m%d"),
        end.strftime("%Y%m%d"),
    ]
    beta_aux = entries["VE000002"][0]["CompAuxNum"]
    assert beta_aux.startswith("CSUM11BETA")  # the name's letters and a hash: one per name
    # The default chart: 411000 customers (with the customer as auxiliary account), 706200 and
    # 44571200 at 20 %, 706055 and 44571055 at 5.5 %, 512000 the bank.
    assert postings(entries["VE000001"]) == {
        ("411000", "C732829320", "214,75", "0,00"),
        ("706200", "", "0,00", "135,00"),
        ("44571200", "", "0,00", "27,00"),
        ("706055", "", "0,00", "50,00"),
        ("44571055", "", "0,00", "2,75"),
    }
    assert postings(entries["VE000002"]) == {
        ("411000", beta_aux, "240,00", "0,00"),
        ("706200", "", "0,00", "200,00"),
        ("44571200", "", "0,00", "40,00"),
    }
    assert postings(entries["VE000003"]) == {  # the credit note: the sale reversed
        ("411000", "C732829320", "0,00", "52,75"),
        ("706055", "", "50,00", "0,00"),
        ("44571055", "", "2,75", "0,00"),
    }
    assert postings(entries["BQ000001"]) == {
        ("512000", "", "100,00", "0,00"),
        ("411000", "C732829320", "0,00", "100,00"),
    }
    assert postings(entries["BQ000002"]) == {
        ("512000", "", "12,00", "0,00"),
        ("411000", "C732829320", "0,00", "12,00"),
    }
    assert postings(entries["BQ000003"]) == {
        ("512000", "", "240,00", "0,00"),
        ("411000", beta_aux, "0,00", "240,00"),
    }
    refs = {n: lines[0]["PieceRef"] for n, lines in entries.items()}
    assert refs == {
        "VE000001": num["a"],
        "VE000002": num["b"],
        "VE000003": num["note"],
        "BQ000001": num["a"],
        "BQ000002": num["c"],  # C was issued before the period, its payment is in it
        "BQ000003": num["b"],
    }
    # The separator never appears inside a field: "=SUM(1+1)|Beta" lost its pipe.
    assert entries["VE000002"][0]["CompAuxLib"] == "=SUM(1+1) Beta"
    # Lettering: only B is settled within the file (240.00 sold, 240.00 paid today), so its
    # two customer lines share the first code, dated today. A still has 214.75 - 52.75 (the
    # credit note) - 100.00 = 62.00 due; C's sale is in an earlier period, not in this file.
    lettered = {
        (r["EcritureNum"], r["CompteNum"], r["EcritureLet"], r["DateLet"])
        for r in rows
        if r["EcritureLet"]
    }
    today_text = end.strftime("%Y%m%d")
    assert lettered == {
        ("VE000002", "411000", "AAA", today_text),
        ("BQ000003", "411000", "AAA", today_text),
    }

    made = summary.json()
    assert made["file_name"] == name and made["entries"] == 6 and made["lines"] == 17
    assert made["lettered"] == 2
    assert (made["debit"], made["credit"]) == ("859.50", "859.50")
    assert made["sha256"] == hashlib.sha256(first.content).hexdigest()
    # Every export is audited, with the file's hash.
    assert audit.status_code == 200, audit.text
    exported = [e for e in audit.json()["items"] if e["event"] == "org.accounting_exported"]
    assert len(exported) == 5
    assert any(made["sha256"] in (e["detail"] or "") for e in exported)

    # The CSV journal: its columns, the same 17 lines, and no cell a spreadsheet would run.
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8"))))
    assert table[0] == [
        "date", "journal", "entry", "account", "account_label", "aux_account", "aux_label",
        "label", "debit", "credit", "document", "document_date", "currency", "lettering",
        "lettering_date",
    ]  # fmt: skip
    assert len(table) == 18
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    beta_rows = [row for row in table[1:] if row[5] == beta_aux]
    assert beta_rows and all(row[6] == "'=SUM(1+1)|Beta" for row in beta_rows)
    assert {row[12] for row in table[1:]} == {"EUR"}
    assert sorted((row[2], row[13], row[14]) for row in table[1:] if row[13]) == [
        ("BQ000003", "AAA", end.isoformat()),
        ("VE000002", "AAA", end.isoformat()),
    ]
    assert sum(D(row[8]) for row in table[1:]) == sum(D(row[9]) for row in table[1:]) == D("859.50")

    # Boundaries: the day before A alone holds C; a period without anything is a header.
    async with api(running.server, cleo) as http:
        before = start - timedelta(days=1)
        r = await http.get(f"/api/orgs/{org}/exports/fec?from={before}&to={before}")
        assert [row["PieceRef"] for row in read_fec(r.content)] == [num["c"]] * 3
        r = await http.get(f"/api/orgs/{org}/exports/fec?from=2001-01-01&to=2001-01-31")
        assert read_fec(r.content) == []


async def test_a_credit_note_letters_the_invoice_it_cancels(running: Running) -> None:
    """The credit note's link to its invoice, read from the database, is what groups them."""
    people, cleo = await people_and_cleo(running)
    alice = running.accounts["alice"]
    today = datetime.now(UTC).date()
    client = {"name": "Client SA", "siren": "732829320"}
    # 2 x 50.00 at 20 %: gross 120.00, credited in full the same day: 120.00 - 120.00 = 0.
    invoice = await issued(
        running, people, alice, document("EUR", client, today, [("a", "2", "50.00", "20")])
    )
    async with api(running.server, people["alice"]) as http:
        r = await http.post(f"/api/invoices/{invoice}/credit-notes", json={"lines": ["a"]})
    assert r.status_code == 201, r.text
    await move(running, people, r.json()["id"])
    day = today.isoformat()
    async with api(running.server, cleo) as http:
        got = await http.get(f"/api/orgs/{alice.org_id}/exports/fec?from={day}&to={day}")
    assert got.status_code == 200, got.text
    customer = [r for r in read_fec(got.content) if r["CompteNum"] == "411000"]
    assert sorted((r["Debit"], r["Credit"]) for r in customer) == [
        ("0,00", "120,00"),
        ("120,00", "0,00"),
    ]
    stamp = today.strftime("%Y%m%d")
    assert [(r["EcritureLet"], r["DateLet"]) for r in customer] == [("AAA", stamp)] * 2
