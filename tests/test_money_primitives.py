"""The money engine's building blocks: parse_decimal, the ISO 4217 currency table, allocate."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.currencies import MINOR_UNITS, UnknownCurrency, minor_units
from collab.invoice.money import MoneyError, MoneyTypeError, allocate, parse_decimal
from tests.money_helpers import D

# --- parse_decimal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("1234.50", "1234.50"), ("-3", "-3"), ("12", "12"), ("0.000001", "0.000001"), ("007", "7")],
)
def test_parse_decimal_accepts_plain_decimals(text: str, value: str) -> None:
    parsed = parse_decimal(text)

    assert parsed == D(value)
    assert str(parsed) == value  # the spelling, trailing zeros included, is kept


def test_parse_decimal_folds_negative_zero() -> None:
    assert str(parse_decimal("-0.00")) == "0.00"


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("12.", "incomplete", "after the decimal point"),
        ("-", "incomplete", "after '-'"),
        (".5", "incomplete", "such as 0.5"),
        ("abc", "syntax", "not a number"),
        ("1e5", "exponent", "exponent"),
        ("1.5E-3", "exponent", "exponent"),
        ("NaN", "not_finite", "finite"),
        ("Infinity", "not_finite", "finite"),
        ("-inf", "not_finite", "finite"),
        ("", "empty", "empty"),
        (" 12", "whitespace", "spaces"),
        ("12,50", "separator", "comma"),
        ("1 234", "separator", "separator"),
        ("+3", "plus_sign", "'+'"),
        ("\u0661\u0662", "syntax", "not a number"),  # Arabic-Indic digits: Decimal() takes them
        ("1" * 41, "too_long", "longer than 40"),
    ],
)
def test_parse_decimal_says_what_is_wrong(text: str, code: str, says: str) -> None:
    with pytest.raises(MoneyError, match=re.escape(says)) as caught:
        parse_decimal(text)

    assert caught.value.code == code


def test_parse_decimal_refuses_floats_as_a_type_error() -> None:
    with pytest.raises(MoneyTypeError, match="float") as caught:
        parse_decimal(1.5)  # type: ignore[arg-type]

    assert isinstance(caught.value, TypeError)
    assert caught.value.code == "float"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6))
def test_parse_decimal_reads_back_what_format_writes(value: Decimal) -> None:
    assert parse_decimal(format(value, "f")) == value


@given(st.text(max_size=12))
def test_parse_decimal_either_returns_the_exact_value_or_refuses(text: str) -> None:
    try:
        parsed = parse_decimal(text)
    except MoneyError as error:
        assert error.message
        return
    assert parsed == D(text)
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text, re.ASCII)


# --- currencies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "units"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("CHF", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("OMR", 3),
        ("CAD", 2),
        ("AUD", 2),
        ("CNY", 2),
        ("SEK", 2),
        ("NOK", 2),
        ("DKK", 2),
        ("PLN", 2),
        ("CZK", 2),
        ("HUF", 2),
        ("RON", 2),
        ("BGN", 2),
        ("CLF", 4),
    ],
)
def test_minor_units_follow_iso_4217(code: str, units: int) -> None:
    assert minor_units(code) == units


@pytest.mark.parametrize(
    ("code", "says"),
    [("XXX", "unknown currency"), ("HRK", "unknown currency"), ("eur", "'EUR'"), ("", "unknown")],
)
def test_unknown_currencies_are_refused(code: str, says: str) -> None:
    with pytest.raises(UnknownCurrency, match=says):
        minor_units(code)


def test_unknown_currency_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        minor_units(978)  # type: ignore[arg-type]


def test_currency_table_holds_only_iso_shaped_codes() -> None:
    assert len(MINOR_UNITS) > 150
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in MINOR_UNITS)
    assert set(MINOR_UNITS.values()) == {0, 2, 3, 4}


# --- allocate ---------------------------------------------------------------------------------


def test_allocate_takes_a_negative_remainder_from_the_first_largest_weight() -> None:
    # 0.02 / 3 = 0.00667 rounds up to 0.01 three times: one cent too many, taken back from the
    # first of the three equal weights.
    assert allocate(D("0.02"), [D(1), D(1), D(1)], 2) == (D("0.00"), D("0.01"), D("0.01"))


def test_allocate_rounds_exact_halves_up_before_settling_the_remainder() -> None:
    # 0.025 and 0.025 both round up to 0.03; the extra cent comes back off the first weight.
    assert allocate(D("0.05"), [D(1), D(1)], 2) == (D("0.02"), D("0.03"))
    assert allocate(D("-0.05"), [D(1), D(1)], 2) == (D("-0.02"), D("-0.03"))


def test_allocate_refuses_zero_weights_for_a_nonzero_total() -> None:
    with pytest.raises(ValueError, match="sum to zero"):
        allocate(D("1.00"), [D(1), D(-1)], 2)
    assert allocate(D(0), [D(1), D(-1)], 2) == (D("0.00"), D("0.00"))


@given(
    st.integers(-(10**6), 10**6),
    st.lists(st.integers(1, 10**6), min_size=1, max_size=8),
    st.sampled_from([0, 2, 3]),
)
def test_allocate_parts_sum_to_the_total_and_stay_near_pro_rata(
    total_units: int, weight_units: list[int], places: int
) -> None:
    total = D(total_units).scaleb(-places)
    weights = [D(w).scaleb(-places) for w in weight_units]

    parts = allocate(total, weights, places)

    assert sum(parts) == total
    unit = D(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 50
        for part, weight in zip(parts, weights, strict=True):
            # Each part is off by at most its own rounding plus the remainder, which is at most
            # half a unit per part.
            assert abs(part - total * weight / sum(weights)) <= unit * (len(parts) + 1) / 2
