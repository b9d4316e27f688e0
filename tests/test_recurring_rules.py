"""The recurrence arithmetic (collab/invoice/recurrence.py) and a period's draft content
(server/recurring/drafts.py): hand-worked examples, then properties over any rule."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.recurrence import (
    LAST,
    MONTHS,
    Day,
    Frequency,
    InvalidRule,
    Period,
    Rule,
    due,
    month_end,
    payment_delay,
    period,
    period_text,
    periods,
    upcoming,
)
from server.recurring.drafts import draft_content, is_empty


def _runs(rule: Rule, limit: int = 100) -> list[str]:
    return [p.run_date.isoformat() for p in upcoming(rule, since=rule.start, limit=limit)]


def test_the_31st_is_the_month_s_last_day() -> None:
    rule = Rule(Frequency.MONTHLY, LAST, date(2027, 1, 31))
    assert _runs(rule, 5) == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    leap = Rule(Frequency.MONTHLY, LAST, date(2028, 1, 15), count=2)
    assert _runs(leap) == ["2028-01-31", "2028-02-29"]
    first = period(rule, 1)
    assert first == Period(1, date(2027, 2, 28), date(2027, 2, 1), date(2027, 2, 28))


def test_a_run_date_before_the_start_waits_for_the_next_period() -> None:
    quarterly = Rule(Frequency.QUARTERLY, 15, date(2027, 1, 20), count=3)
    assert _runs(quarterly) == ["2027-04-15", "2027-07-15", "2027-10-15"]
    assert period(quarterly, 0) == Period(0, date(2027, 4, 15), date(2027, 4, 1), date(2027, 6, 30))
    yearly = Rule(Frequency.YEARLY, 1, date(2027, 3, 1), end=date(2030, 3, 1))
    assert _runs(yearly) == ["2027-03-01", "2028-03-01", "2029-03-01", "2030-03-01"]
    assert period(yearly, 0) == Period(0, date(2027, 3, 1), date(2027, 3, 1), date(2028, 2, 29))


def test_bounds_and_catch_up() -> None:
    rule = Rule(Frequency.MONTHLY, 1, date(2026, 12, 1), count=12)
    assert len(list(periods(rule))) == 12
    caught = due(rule, since=date(2027, 2, 2), until=date(2027, 5, 1), limit=10)
    assert [p.run_date.isoformat() for p in caught] == ["2027-03-01", "2027-04-01", "2027-05-01"]
    assert len(due(rule, since=rule.start, until=date(2030, 1, 1), limit=5)) == 5
    for bad in (
        lambda: Rule(Frequency.MONTHLY, 29, date(2027, 1, 1)),
        lambda: Rule(Frequency.MONTHLY, 0, date(2027, 1, 1)),
        lambda: Rule(Frequency.MONTHLY, 1, date(2027, 1, 1), count=0),
        lambda: Rule(Frequency.MONTHLY, 1, date(2027, 1, 2), end=date(2027, 1, 1)),
    ):
        with pytest.raises(InvalidRule):
            bad()


def test_period_texts_and_the_payment_delay() -> None:
    december = Period(0, date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 31))
    assert period_text(december, "en") == "Period: 2026-12-01 \N{EN DASH} 2026-12-31"
    assert period_text(december, "fr") == "Période : du 01/12/2026 au 31/12/2026"
    assert payment_delay("2026-11-27", "2026-12-27") == 30
    assert payment_delay("2026-11-27", None) is None
    assert payment_delay("2026-12-27", "2026-11-27") is None
    assert payment_delay("2026-11-27", "not a date") is None


TEMPLATE = {
    "invoice": {
        "customer": {"name": "Client SA"},
        "currency": "EUR",
        "issue_date": "2026-11-27",
        "due_date": "2026-12-27",
        "payment_terms": "30 days",
        "notes": "Period: 2026-11-01 \N{EN DASH} 2026-11-30\nThank you",
        "prepaid": "10.00",
    },
    "lines": [{"id": "a", "description": "Hosting", "quantity": "1", "unit_price": "99.00"}],
    "adjustments": [{"id": "x", "line": "a", "amount": "5.00"}],
}


def test_a_period_s_draft_copies_the_template_with_its_own_dates() -> None:
    run_id = str(uuid.uuid4())
    january = Period(1, date(2027, 1, 31), date(2027, 1, 1), date(2027, 1, 31))
    made = draft_content(
        TEMPLATE, each=january, run_id=run_id, language="en", template_issue_date=None
    )
    header = made["invoice"]
    assert header["issue_date"] == "2027-01-31" and header["due_date"] == "2027-03-02"
    assert header["notes"] == "Period: 2027-01-01 \N{EN DASH} 2027-01-31\nThank you"
    assert header["customer"] == {"name": "Client SA"} and header["payment_terms"] == "30 days"
    assert "prepaid" not in header
    [line] = made["lines"]
    assert line["id"] != "a" and line["description"] == "Hosting"
    assert made["adjustments"][0]["line"] == line["id"]
    # The same run computes the same content: a retried write changes nothing.
    again = draft_content(
        TEMPLATE, each=january, run_id=run_id, language="en", template_issue_date=None
    )
    assert again == made and not is_empty(made) and is_empty({"invoice": {}, "lines": []})
    undated = {"invoice": {"due_date": "2026-12-27"}, "lines": []}
    issued = draft_content(
        undated, each=january, run_id=run_id, language="fr", template_issue_date="2026-12-07"
    )
    assert issued["invoice"]["due_date"] == "2027-02-20"  # 20 days, as the issued template
    assert issued["invoice"]["notes"] == "Période : du 01/01/2027 au 31/01/2027"
    terms = draft_content(
        {"invoice": {}},
        each=january,
        run_id=run_id,
        language="en",
        template_issue_date=None,
        default_delay=45,
    )
    assert terms["invoice"]["due_date"] == "2027-03-17"


# -- properties ----------------------------------------------------------------------------------

days: st.SearchStrategy[Day] = st.one_of(st.integers(min_value=1, max_value=28), st.just("last"))


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2150, 12, 31)))
    end = draw(st.none() | st.integers(0, 4000).map(lambda n: start + timedelta(days=n)))
    count = draw(st.none() | st.integers(1, 60))
    return Rule(draw(st.sampled_from(Frequency)), draw(days), start, end, count)


@given(rules())
def test_periods_follow_each_other_without_gap_or_overlap(rule: Rule) -> None:
    listed = list(itertools.islice(periods(rule), 80))
    for i, each in enumerate(listed):
        assert each.index == i
        assert each.start <= each.run_date <= each.end
        assert each.start.day == 1
        expected = month_end(each.run_date.year, each.run_date.month).day
        assert each.run_date.day == (expected if rule.day == LAST else rule.day)
        assert each.run_date >= rule.start
        assert rule.end is None or each.run_date <= rule.end
    for before, after in itertools.pairwise(listed):
        assert before.run_date < after.run_date  # strictly increasing
        assert after.start == before.end + timedelta(days=1)  # never a period skipped
    if rule.count is not None and len(listed) < 80:
        assert len(listed) <= rule.count
    if listed:  # the first is the first possible one: in the start's month if it fits
        in_start_month = (
            month_end(rule.start.year, rule.start.month).day if rule.day == LAST else rule.day
        ) >= rule.start.day
        expected_start = rule.start.replace(day=1)
        if not in_start_month:
            month = rule.start.month - 1 + MONTHS[rule.frequency]
            expected_start = date(rule.start.year + month // 12, month % 12 + 1, 1)
        assert listed[0].start == expected_start


@given(rules(), st.integers(0, 3000))
def test_jumping_to_a_date_finds_what_walking_finds(rule: Rule, offset: int) -> None:
    since = rule.start + timedelta(days=offset)
    walked = list(itertools.islice(periods(rule), 150))
    expected = [each for each in walked if each.run_date >= since][:5]
    if len(walked) < 150 or len(expected) == 5:
        assert upcoming(rule, since=since, limit=5) == expected


@given(rules())
def test_count_and_end_are_respected(rule: Rule) -> None:
    bounded = Rule(rule.frequency, rule.day, rule.start, rule.end, rule.count or 40)
    listed = list(periods(bounded))
    assert len(listed) <= (bounded.count or 0)
    if bounded.end is not None:
        assert all(each.run_date <= bounded.end for each in listed)
        nxt = period(Rule(bounded.frequency, bounded.day, bounded.start), len(listed))
        if len(listed) < (bounded.count or 0) and nxt is not None:
            assert nxt.run_date > bounded.end  # it stopped at the end, not before
