"""The engine's limits and constants, at their edges: the decisions mutation testing showed no
other test pinned (docs/invoice-document.md, "Mutation testing"). Expected values are the
documented limits and hand-worked figures."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Inexact, localcontext
from typing import Any

import pytest

from collab.invoice.money import (
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    compute_totals,
    format_amount,
    parse_decimal,
)
from collab.invoice.validation import evaluate
from tests.money_helpers import D, amount_off, line, percent_off


def refused(make: Any) -> str:
    with pytest.raises(MoneyError) as caught:
        make()
    return caught.value.code


# --- rates and percents: 0 to 100 inclusive, 4 decimals ---------------------------------------


def test_a_rate_of_exactly_100_is_accepted_and_above_is_not() -> None:
    totals = compute_totals(InvoiceInput((line("1", "10.00", "100"),)))
    assert totals.tax == D("10.00")  # 10.00 x 100 %
    assert refused(lambda: line("1", "1", "100.0001")) == "out_of_range"
    assert compute_totals(InvoiceInput((line("1", "10.00", "0.0001"),))).tax == D("0.00")
    assert refused(lambda: line("1", "1", "0.00001")) == "too_precise"


def test_a_percent_discount_of_exactly_100_clears_the_line() -> None:
    totals = compute_totals(InvoiceInput((line("3", "45.00", "20", discount=percent_off("100")),)))
    assert (totals.lines[0].net, totals.gross) == (D("0.00"), D("0.00"))
    assert refused(lambda: percent_off("100.0001")) == "out_of_range"
    assert Discount("percent", D("12.3456")).value == D("12.3456")
    assert refused(lambda: percent_off("12.34567")) == "too_precise"


# --- precision: trailing zeros never count, digits past the limit always do -------------------


@pytest.mark.parametrize(
    ("quantity", "unit_price", "rate"),
    [("1.00000000", "2.0000000000", "20.000000"), ("-1.5000", "0.123456000", "5.50000")],
)
def test_values_padded_with_zeros_past_the_limit_are_accepted(
    quantity: str, unit_price: str, rate: str
) -> None:
    line(quantity, unit_price, rate)  # no MoneyError


def test_one_digit_past_each_limit_is_refused() -> None:
    assert refused(lambda: line("1.00001", "1", "20")) == "too_precise"  # 4 for quantities
    assert line("1.0001", "1", "20").quantity == D("1.0001")
    assert refused(lambda: line("1", "1.0000001", "20")) == "too_precise"  # 6 for unit prices
    assert line("1", "1.000001", "20").unit_price == D("1.000001")


def test_the_document_discount_has_the_currency_precision() -> None:
    assert refused(lambda: InvoiceInput((line("1", "10", "20"),), discount=amount_off("0.001")))
    assert refused(
        lambda: InvoiceInput((line("1", "10", "20"),), "JPY", discount=amount_off("1.5"))
    ) == ("too_precise")
    # KWD has 3: 0.001 off 10.000 -> 9.999, VAT 20 % = 1.9998 -> 2.000
    totals = compute_totals(
        InvoiceInput((line("1", "10", "20"),), "KWD", discount=amount_off("0.001"))
    )
    assert (totals.net, totals.tax) == (D("9.999"), D("2.000"))
    assert compute_totals(
        InvoiceInput((line("1", "10", "20"),), discount=amount_off("0.10"))
    ).net == D("9.90")


# --- magnitudes: below 10^15 -----------------------------------------------------------------


def test_magnitudes_just_below_10_15_are_exact_and_10_15_is_refused() -> None:
    big = "999999999999999.99"
    totals = compute_totals(InvoiceInput((line("1", "999999999999999.999999", "20"),)))
    assert totals.net == D("1000000000000000.00")  # rounds half-up at the line, exactly
    assert compute_totals(InvoiceInput((line("1", big, "0", "Z"),))).net == D(big)
    assert refused(lambda: line("1000000000000000", "1", "20")) == "too_large"
    assert refused(lambda: line("1", "1", "20", discount=amount_off("1000000000000000"))) == (
        "too_large"
    )
    assert refused(lambda: line("-1000000000000000", "1", "20")) == "too_large"
    # The largest quantity x a near-largest price needs 36 digits: still exact.
    # (10^15 - 10^-4) x (10^15 - 10^-2) = 10^30 - 10^13 - 10^11 + 10^-6, to 4 places (CLF).
    product = compute_totals(InvoiceInput((line("999999999999999.9999", big, "20"),), "CLF"))
    assert product.lines[0].extended == D("999999999999999989900000000000.0000")


def test_parse_decimal_reads_up_to_40_characters() -> None:
    assert parse_decimal("1" * 40) == D("1" * 40)
    assert refused(lambda: parse_decimal("1" * 41)) == "too_long"
    assert parse_decimal("-" + "1" * 39) == D("-" + "1" * 39)


# --- the caller's decimal context changes nothing ----------------------------------------------


HOSTILE = [
    Context(prec=3, rounding=ROUND_DOWN),
    Context(prec=5, rounding=ROUND_HALF_EVEN, traps=[Inexact]),
]


@pytest.mark.parametrize("context", HOSTILE)
def test_the_callers_context_changes_nothing(context: Context) -> None:
    invoice = InvoiceInput(
        (line("3", "333.335", "5.5"), line("-1", "12.345", "19.6", "L"), line("2", "0.125", "20")),
        discount=percent_off("12.5"),
    )
    document = {
        "invoice": {},
        "lines": [{"id": "a", "quantity": "3", "unit_price": "333.335", "tax_rate": "5.5"}],
    }
    expected = compute_totals(invoice).to_json()
    expected_eval = evaluate(document)

    with localcontext(context):
        assert compute_totals(invoice).to_json() == expected
        assert evaluate(document) == expected_eval
        assert format_amount(D("2.345"), "EUR") == "2.35"
        assert parse_decimal("12345.678") == D("12345.678")
    # 3 x 333.335 = 1000.005 -> 1000.01 (half-up), 12.5 % of it -> 125.00 (125.00125)
    assert expected["lines"][0]["net"] == "1000.01"


def test_the_callers_context_is_left_as_it_was() -> None:
    with localcontext(Context(prec=7, rounding=ROUND_DOWN)) as context:
        compute_totals(InvoiceInput((line("1", "1.005", "20"),)))
        assert (context.prec, context.rounding) == (7, ROUND_DOWN)


# --- half-up, away from zero, at the three rounding points -------------------------------------


def test_every_rounding_point_rounds_half_up_away_from_zero() -> None:
    # line: 1 x 0.125 = 0.125 -> 0.13 (half-even would give 0.12); -0.125 -> -0.13
    assert compute_totals(InvoiceInput((line("1", "0.125", "0", "Z"),))).net == D("0.13")
    assert compute_totals(InvoiceInput((line("-1", "0.125", "0", "Z"),))).net == D("-0.13")
    # discount: 5 % of 0.50 = 0.025 -> 0.03
    assert compute_totals(InvoiceInput((line("1", "0.50", "0", "Z", percent_off("5")),))).lines[
        0
    ].discount == D("0.03")
    # VAT: 0.25 x 10 % = 0.025 -> 0.03; -0.25 -> -0.03
    assert compute_totals(InvoiceInput((line("1", "0.25", "10"),))).tax == D("0.03")
    assert compute_totals(InvoiceInput((line("-1", "0.25", "10"),))).tax == D("-0.03")
    # the allocation: 0.05 over two equal groups, 0.025 each -> 0.03 + 0.02
    lines = (line("1", "1", "20"), line("1", "1", "10"))
    totals = compute_totals(InvoiceInput(lines, discount=amount_off("0.05")))
    assert sorted(g.base for g in totals.tax_breakdown) == [D("0.97"), D("0.98")]


# --- categories ------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["S", "Z", "E", "AE", "K", "G", "L", "M", "B"])
def test_every_category_with_a_rate_is_accepted_by_the_engine(category: str) -> None:
    rate = "0" if category in {"Z", "E", "AE", "K", "G"} else "10"
    assert Line(D(1), D(1), D(rate), category).tax_category == category
    assert refused(lambda: Line(D(1), D(1), None, category)) == "required"


@pytest.mark.parametrize(
    ("category", "rate", "ok"),
    [
        ("E", "0", True),
        ("E", "0.01", False),
        ("K", "0", True),
        ("K", "5", False),
        ("G", "0", True),
        ("G", "7", False),
        ("O", "", True),
        ("O", "0.01", False),
        ("L", "0", True),
        ("L", "15", True),
        ("M", "0", True),
        ("M", "8", True),
        ("S", "0.01", True),
        ("B", "4", True),
    ],
)
def test_category_rates_decide_as_en_16931_says(category: str, rate: str, ok: bool) -> None:
    row = {
        "id": "a",
        "quantity": "1",
        "unit_price": "100",
        "tax_rate": rate,
        "tax_category": category,
        "exemption_reason": "x",
    }
    result = evaluate({"invoice": {}, "lines": [row]})
    errors = [i.code for i in result.issues if i.severity == "error"]
    assert (errors == []) is ok, result.issues
    assert result.counted == ("a",)  # counted either way: the amounts are valid


@pytest.mark.parametrize(
    ("category", "rate", "known"),
    [
        ("S", "5.5", True),  # France, reduced
        ("S", "8.1", True),  # Switzerland, standard
        ("S", "25.5", True),  # Finland, standard
        ("S", "19.6", False),  # France until 2013: a typo today
        ("B", "22", True),  # Italy, split payment
        ("B", "19.6", False),
        ("L", "7", True),  # IGIC general
        ("L", "9.5", True),
        ("L", "21", False),  # a VAT rate, not an IGIC one
        ("M", "0.5", True),  # IPSI
        ("M", "10", True),
        ("M", "20", False),
    ],
)
def test_rates_in_force_are_known_per_category(category: str, rate: str, known: bool) -> None:
    row = {
        "id": "a",
        "quantity": "1",
        "unit_price": "100",
        "tax_rate": rate,
        "tax_category": category,
    }
    codes = [i.code for i in evaluate({"invoice": {}, "lines": [row]}).issues]
    assert ("unknown_tax_rate" not in codes) is known, codes
