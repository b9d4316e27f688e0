"""French late-payment charges: hand-worked examples and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.late import late_charges

DUE = date(2026, 11, 30)


def test_hand_worked_interest_and_the_indemnity() -> None:
    # 1,000.00 EUR at 10.15 % a year, 30 days late: 1000 x 0.1015 x 30 / 365 = 8.3424... -> 8.34
    charges = late_charges(
        outstanding=Decimal("1000.00"),
        due=DUE,
        on=date(2026, 12, 30),
        annual_rate_percent=Decimal("10.15"),
        currency="EUR",
    )
    assert (charges.days_late, charges.interest, charges.indemnity) == (
        30,
        Decimal("8.34"),
        Decimal("40.00"),
    )
    assert charges.total == Decimal("48.34")
    # 162.00 EUR at 12 %, 45 days: 162 x 0.12 x 45 / 365 = 2.39671... -> 2.40 (half up)
    assert late_charges(
        outstanding=Decimal("162.00"),
        due=DUE,
        on=DUE + timedelta(days=45),
        annual_rate_percent=Decimal("12"),
        currency="EUR",
    ).interest == Decimal("2.40")


def test_nothing_is_owed_on_the_due_date_or_before_or_when_paid() -> None:
    for on in (DUE - timedelta(days=3), DUE):
        charges = late_charges(
            outstanding=Decimal("500.00"),
            due=DUE,
            on=on,
            annual_rate_percent=Decimal("10"),
            currency="EUR",
        )
        assert charges.total == 0 and charges.days_late == 0
    paid = late_charges(
        outstanding=Decimal("0.00"),
        due=DUE,
        on=DUE + timedelta(days=10),
        annual_rate_percent=Decimal("10"),
        currency="EUR",
    )
    assert paid.total == 0


def test_no_rate_gives_the_indemnity_alone_and_only_in_euros() -> None:
    def charges(rate: Decimal | None, currency: str) -> tuple[Decimal, Decimal]:
        found = late_charges(
            outstanding=Decimal("100.00"),
            due=DUE,
            on=DUE + timedelta(days=1),
            annual_rate_percent=rate,
            currency=currency,
        )
        return found.interest, found.indemnity

    assert charges(None, "EUR") == (Decimal("0.00"), Decimal("40.00"))
    assert charges(Decimal("10"), "USD") == (Decimal("0.03"), Decimal(0))  # 100 x .1 / 365 = .027


@given(
    cents=st.integers(1, 10**12),
    days=st.integers(1, 3650),
    rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2),
)
def test_interest_grows_with_time_and_stays_within_a_cent_of_the_exact_value(
    cents: int, days: int, rate: Decimal
) -> None:
    owed = Decimal(cents).scaleb(-2)
    charges = late_charges(
        outstanding=owed,
        due=DUE,
        on=DUE + timedelta(days=days),
        annual_rate_percent=rate,
        currency="EUR",
    )
    exact = owed * rate / 100 * days / 365
    assert abs(charges.interest - exact) <= Decimal("0.005")
    later = late_charges(
        outstanding=owed,
        due=DUE,
        on=DUE + timedelta(days=days + 1),
        annual_rate_percent=rate,
        currency="EUR",
    )
    assert later.interest >= charges.interest
    assert charges.interest.as_tuple().exponent == -2
