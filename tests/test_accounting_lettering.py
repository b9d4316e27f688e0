"""Lettering of the customer account (collab/invoice/lettering.py) and its two columns in the
FEC and the CSV journal: which lines share a code, on which day, and which stay open. Every
case is worked out by hand in its comments; the balance rule is also a property over random
payment schedules."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from collab.invoice import ledger
from collab.invoice.ledger import DEFAULT_CHART, Entry
from collab.invoice.lettering import code, letters
from server.accounting import fec, journal

D = Decimal
NOV = date(2026, 11, 1)
CLIENT = {"name": "Atelier Durand", "siren": "732829320"}
OTHER = {"name": "Beta SARL", "siren": "552100554"}


def day(n: int) -> date:
    return NOV + timedelta(days=n - 1)


def sale(
    source: str,
    n: int,
    net: str,
    *,
    customer: dict[str, str] = CLIENT,
    credits: str = "",
    prepaid: str = "0",
) -> Entry:
    """An invoice of one line of `net` at 20 % issued on day `n` (a credit note of `credits`
    when given); gross = net x 1.2, of which `prepaid` was paid in advance."""
    document: dict[str, Any] = {
        "invoice": {"currency": "EUR", "customer": customer, "prepaid": prepaid},
        "lines": [{"id": "1", "description": "x", "quantity": "1", "unit_price": net,
                   "tax_rate": "20"}],
    }  # fmt: skip
    made = ledger.sale_entry(
        DEFAULT_CHART,
        kind=ledger.CREDIT_NOTE if credits else ledger.INVOICE,
        number=source.upper(),
        issue_date=day(n),
        document=document,
        source=source,
        settles=credits,
    )
    assert made is not None
    return made


def paid(
    source: str,
    invoice: str,
    n: int,
    amount: str,
    *,
    refund: bool = False,
    customer: dict[str, str] = CLIENT,
) -> Entry:
    made = ledger.payment_entry(
        DEFAULT_CHART,
        kind=ledger.REFUND if refund else ledger.PAYMENT,
        day=day(n),
        amount=D(amount),
        currency="EUR",
        invoice_number=invoice.upper(),
        reference=None,
        customer=customer,
        recorded_day=day(n),
        source=source,
        settles=invoice,
    )
    assert made is not None
    return made


def lettered(*entries: Entry) -> dict[str, tuple[str, date]]:
    """By document (PieceRef for sales, source for payments): (code, day)."""
    numbered = ledger.numbered(entries, ("VE", "BQ"))
    found = letters(numbered, DEFAULT_CHART.customer_account)
    return {
        entry.source: (found[number].code, found[number].day)
        for number, entry in numbered
        if number in found
    }


def test_codes_run_from_three_letters_and_grow_when_spent() -> None:
    assert [code(i) for i in (0, 1, 25, 26, 27)] == ["AAA", "AAB", "AAZ", "ABA", "ABB"]
    # 26^3 = 17,576 codes of three letters: the last is ZZZ, then four letters begin.
    assert code(17_575) == "ZZZ"
    assert code(17_576) == "AAAA"
    assert code(17_577) == "AAAB"
    assert len({code(i) for i in range(20_000)}) == 20_000


def test_an_invoice_paid_in_two_goes_lettered_on_the_day_of_the_second() -> None:
    # 100.00 net + 20 % = 120.00; paid 70.00 on the 10th and 50.00 on the 20th: 120 - 70 - 50 = 0.
    found = lettered(sale("f1", 2, "100.00"), paid("p1", "f1", 10, "70.00"),
                     paid("p2", "f1", 20, "50.00"))  # fmt: skip
    assert found == {"f1": ("AAA", day(20)), "p1": ("AAA", day(20)), "p2": ("AAA", day(20))}


def test_what_was_paid_in_advance_is_not_owed_again() -> None:
    # 100.00 net = 120.00, of which 50.00 paid in advance (BT-113): 70.00 due, paid on the 9th.
    found = lettered(sale("f1", 2, "100.00", prepaid="50.00"), paid("p1", "f1", 9, "70.00"))
    assert found == {"f1": ("AAA", day(9)), "p1": ("AAA", day(9))}


def test_a_partly_paid_or_overpaid_invoice_stays_open() -> None:
    # 120.00 due, 100.00 paid: 20.00 still due. 120.00 due, 130.00 paid: 10.00 owed back.
    assert lettered(sale("f1", 2, "100.00"), paid("p1", "f1", 10, "100.00")) == {}
    assert lettered(sale("f1", 2, "100.00"), paid("p1", "f1", 10, "130.00")) == {}


def test_an_overpayment_refunded_settles_on_the_day_of_the_refund() -> None:
    # 120.00 due; 130.00 received on the 10th; 10.00 refunded on the 15th: 120 + 10 - 130 = 0.
    found = lettered(sale("f1", 2, "100.00"), paid("p1", "f1", 10, "130.00"),
                     paid("r1", "f1", 15, "10.00", refund=True))  # fmt: skip
    assert set(found) == {"f1", "p1", "r1"}
    assert set(found.values()) == {("AAA", day(15))}


def test_a_credit_note_and_a_payment_settle_the_invoice_together() -> None:
    # Invoice 200.00 net = 240.00; credit note of 50.00 net = 60.00 on the 5th; 180.00 paid on
    # the 12th: 240 - 60 - 180 = 0. The credit note's customer line is the one lettered.
    found = lettered(sale("f1", 2, "200.00"), sale("a1", 5, "50.00", credits="f1"),
                     paid("p1", "f1", 12, "180.00"))  # fmt: skip
    assert found == {"f1": ("AAA", day(12)), "a1": ("AAA", day(12)), "p1": ("AAA", day(12))}


def test_lines_on_two_customer_accounts_are_not_lettered_together() -> None:
    # The invoice is Beta's (C552100554), the payment booked on Atelier Durand (C732829320):
    # they cancel out in amount, not on one auxiliary account.
    assert lettered(sale("f1", 2, "1.00", customer=OTHER), paid("p1", "f1", 3, "1.20")) == {}


def test_an_invoice_of_an_earlier_period_leaves_its_payment_open() -> None:
    # The payment settles an invoice this file does not hold: no line of the file to match.
    assert lettered(paid("p1", "f0", 3, "120.00")) == {}
    # Paid and refunded in full here, the two cancel out, but the invoice's debit (earlier)
    # is still open: lettering them would call a due invoice settled.
    assert lettered(paid("p1", "f0", 3, "120.00"), paid("r1", "f0", 4, "120.00", refund=True)) == {}


def test_codes_follow_the_day_each_group_was_settled() -> None:
    # f1 (day 2) is settled on the 20th, f2 (day 4) on the 8th, f3 (day 6) on the 8th too:
    # AAA for the first settled, then by the invoice's place in the file on a shared day.
    found = lettered(
        sale("f1", 2, "100.00"), sale("f2", 4, "10.00"), sale("f3", 6, "1.00", customer=OTHER),
        paid("p1", "f1", 20, "120.00"), paid("p2", "f2", 8, "12.00"),
        paid("p3", "f3", 8, "1.20", customer=OTHER),
    )  # fmt: skip
    assert found == {
        "f2": ("AAA", day(8)), "p2": ("AAA", day(8)),
        "f3": ("AAB", day(8)), "p3": ("AAB", day(8)),
        "f1": ("AAC", day(20)), "p1": ("AAC", day(20)),
    }  # fmt: skip


def test_the_writers_letter_the_customer_line_only() -> None:
    entries = [sale("f1", 2, "100.00"), paid("p1", "f1", 10, "120.00")]
    numbered = ledger.numbered(entries, ("VE", "BQ"))
    found = letters(numbered, DEFAULT_CHART.customer_account)
    records = fec.write(numbered, "pipe", found).decode("iso-8859-15").split("\r\n")[1:-1]
    columns = fec.COLUMNS.index("CompteNum"), fec.COLUMNS.index("EcritureLet")
    marks = sorted(tuple(r.split("|")[i] for i in (columns[0], *range(columns[1], columns[1] + 2)))
                   for r in records)  # fmt: skip
    # The sale: 411000 lettered, 706200 and 44571200 not; the payment: 411000 lettered, 512000
    # not. DateLet is the day of the payment, 2026-11-10.
    assert marks == [
        ("411000", "AAA", "20261110"), ("411000", "AAA", "20261110"),
        ("44571200", "", ""), ("512000", "", ""), ("706200", "", ""),
    ]  # fmt: skip
    table = list(csv.DictReader(io.StringIO(journal.write(numbered, found).decode("utf-8"))))
    assert sorted((r["account"], r["lettering"], r["lettering_date"]) for r in table) == [
        ("411000", "AAA", "2026-11-10"), ("411000", "AAA", "2026-11-10"),
        ("44571200", "", ""), ("512000", "", ""), ("706200", "", ""),
    ]  # fmt: skip


@given(
    st.integers(min_value=1, max_value=4_000),
    st.lists(st.floats(min_value=0, max_value=1), max_size=5),
    st.integers(min_value=-300, max_value=300),
)
def test_lettered_exactly_when_what_is_due_reaches_zero(
    fifths: int, cuts: list[float], off: int
) -> None:
    """An invoice of 5 x `fifths` cents net (so its gross, 6 x `fifths` cents, is exact at
    20 %), paid in parts cut at random, the last part `off` cents wrong: lettered if and only
    if `off` is zero, and then every line carries the one code, dated the last payment."""
    gross = 6 * fifths
    marks = sorted({0, gross, *(round(c * gross) for c in cuts)})
    parts = [b - a for a, b in pairwise(marks)]
    parts[-1] += off
    if parts[-1] <= 0:
        return  # the wrong amount is no payment at all
    entries = [sale("f1", 1, str(D(5 * fifths) / 100))]
    entries += [paid(f"p{i}", "f1", 2 + i, str(D(c) / 100)) for i, c in enumerate(parts)]
    found = lettered(*entries)
    if off == 0:
        assert set(found) == {e.source for e in entries}
        assert set(found.values()) == {("AAA", day(1 + len(parts)))}
    else:
        assert found == {}
