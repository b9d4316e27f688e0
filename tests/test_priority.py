"""The board's priority score (collab/invoice/priority.py): hand-worked scores and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.priority import (
    Importance,
    Weights,
    amount_fraction,
    due_fraction,
    priority,
)

KEY, NORMAL = Importance.KEY, Importance.NORMAL


def test_the_issues_example_due_in_two_days_12400_eur_key_account() -> None:
    # amount: log10(12,400 / 100) / 3 = 2.0934 / 3 = 0.6978 -> 40 * 0.6978 = 27.91 points
    # due in 2 days: 0.5 * (14 - 2) / 14 = 0.4286 -> 40 * 0.4286 = 17.14 points
    # key account: 1 -> 20 points; 65.06 of 100 -> 65
    found = priority(gross=Decimal("12400.00"), currency="EUR", days_until_due=2, importance=KEY)
    assert found.score == 65
    assert found.reasons == [
        {"code": "amount", "value": "12400.00", "currency": "EUR"},
        {"code": "key_account"},
        {"code": "due_in", "days": 2},
    ]


def test_ten_days_late_1000_eur_normal_customer() -> None:
    # amount: log10(10) / 3 = 1/3 -> 13.33; late 10 days: 0.5 + 0.5 * 10 / 30 = 2/3 -> 26.67
    found = priority(gross=Decimal(1000), currency="EUR", days_until_due=-10, importance=NORMAL)
    assert found.score == 40
    assert found.reasons == [
        {"code": "overdue", "days": 10},
        {"code": "amount", "value": "1000", "currency": "EUR"},
    ]


def test_everything_at_its_maximum_is_100_and_nothing_is_0() -> None:
    top = priority(gross=Decimal(250_000), currency="EUR", days_until_due=-45, importance=KEY)
    assert top.score == 100
    low = priority(gross=Decimal(80), currency="EUR", days_until_due=None, importance=NORMAL)
    assert low.score == 0 and low.reasons == []


def test_custom_weights_renormalise_and_drop_the_zero_weighted_reason() -> None:
    # Without the amount: (17.14 + 20) of 60 = 61.9 -> 62; the amount is no reason any more.
    found = priority(
        gross=Decimal("12400.00"),
        currency="EUR",
        days_until_due=2,
        importance=KEY,
        weights=Weights(amount=0, due=40, customer=20),
    )
    assert found.score == 62
    assert [r["code"] for r in found.reasons] == ["key_account", "due_in"]
    nothing = Weights(amount=0, due=0, customer=0)
    assert (
        priority(
            gross=Decimal(9**9), currency="EUR", days_until_due=-99, importance=KEY, weights=nothing
        ).score
        == 0
    )


def test_the_factor_tables() -> None:
    assert amount_fraction(Decimal(100)) == 0 and amount_fraction(Decimal(10**6)) == 1
    assert amount_fraction(Decimal(10_000)) == pytest.approx(2 / 3)
    assert due_fraction(14) == 0 and due_fraction(0) == 0.5 and due_fraction(7) == 0.25
    assert due_fraction(-30) == 1 and due_fraction(-300) == 1 and due_fraction(None) == 0
    with pytest.raises(ValueError, match="from 0 to 100"):
        Weights(amount=101)


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
days = st.one_of(st.none(), st.integers(min_value=-400, max_value=400))
importances = st.sampled_from(list(Importance))
weights = st.builds(
    Weights,
    amount=st.integers(0, 100),
    due=st.integers(0, 100),
    customer=st.integers(0, 100),
)


@given(amounts, amounts, days, importances, weights)
def test_monotone_in_amount(
    a: Decimal, b: Decimal, d: int | None, i: Importance, w: Weights
) -> None:
    low, high = sorted((a, b))

    def score(gross: Decimal) -> int:
        return priority(
            gross=gross, currency="EUR", days_until_due=d, importance=i, weights=w
        ).score

    assert 0 <= score(low) <= score(high) <= 100


@given(amounts, st.integers(-400, 400), st.integers(-400, 400), importances, weights)
def test_monotone_in_lateness(a: Decimal, x: int, y: int, i: Importance, w: Weights) -> None:
    late, early = sorted((x, y))  # fewer days until due: later

    def score(d: int | None) -> int:
        return priority(gross=a, currency="EUR", days_until_due=d, importance=i, weights=w).score

    assert score(early) <= score(late)
    assert score(None) <= score(early)


@given(amounts, amounts, days, days, importances, importances, weights)
def test_a_zero_weight_removes_its_factor(
    a: Decimal, b: Decimal, d: int | None, e: int | None, i: Importance, j: Importance, w: Weights
) -> None:
    def score(gross: Decimal, due: int | None, importance: Importance, weights: Weights) -> int:
        return priority(
            gross=gross, currency="EUR", days_until_due=due, importance=importance, weights=weights
        ).score

    no_amount = Weights(amount=0, due=w.due, customer=w.customer)
    assert score(a, d, i, no_amount) == score(b, d, i, no_amount)
    no_due = Weights(amount=w.amount, due=0, customer=w.customer)
    assert score(a, d, i, no_due) == score(a, e, i, no_due)
    no_customer = Weights(amount=w.amount, due=w.due, customer=0)
    assert score(a, d, i, no_customer) == score(a, d, j, no_customer)
