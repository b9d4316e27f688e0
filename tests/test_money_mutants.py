"""Tests that kill the mutmut survivors of the money engine (docs/invoice-document.md, "Mutation
testing"): each pins a result or a refusal (its code, field and line) that no other test pinned.
Every expected figure is worked by hand from the EN 16931 formulas or the documented rule."""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, localcontext
from typing import Any

import pytest

from collab.invoice.categories import Exemption, exemption_of, rate_problem, unusual_rate
from collab.invoice.decimals import checked, decimal_places
from collab.invoice.money import (
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    MoneyTypeError,
    allocate,
    compute_totals,
    format_amount,
    group_key,
    parse_decimal,
    rounding_amount,
)
from collab.invoice.prices import check_base_quantity, item_net_price
from collab.invoice.totals import decimal_text
from tests.money_helpers import D, amount_off, line, percent_off

# A caller's context that would change any digit computed in it: 2 digits, truncating.
TINY = Context(prec=2, rounding=ROUND_DOWN)


def refusal(make: Any) -> tuple[str, str | None, int | None]:
    with pytest.raises(MoneyError) as caught:
        make()
    return caught.value.code, caught.value.field, caught.value.line


# --- which field, which line, which code a refusal names --------------------------------------


def test_refusals_name_their_field_and_line() -> None:
    one = (line("1", "10", "20"),)
    assert refusal(lambda: percent_off("12.34567")) == ("too_precise", "discount.value", None)
    assert refusal(lambda: line("1", "1", "20.00001")) == ("too_precise", "tax_rate", None)
    # an amount discount has the currency's 2 decimals; line 1 is the second line
    lines = (line("1", "10", "20"), line("1", "10", "20", discount=amount_off("0.001")))
    assert refusal(lambda: InvoiceInput(lines)) == ("too_precise", "discount.value", 1)
    assert refusal(lambda: InvoiceInput(one, discount=amount_off("0.001"))) == (
        "too_precise",
        "discount.value",
        None,
    )
    # 10.01 off a line of 1 x 10 = 10.00, and off a sum of line nets of 10.00
    too_big = InvoiceInput((line("1", "10", "20", discount=amount_off("10.01")),))
    assert refusal(lambda: compute_totals(too_big)) == (
        "discount_exceeds_base",
        "discount.value",
        0,
    )
    too_big = InvoiceInput(one, discount=amount_off("10.01"))
    assert refusal(lambda: compute_totals(too_big)) == (
        "discount_exceeds_base",
        "discount.value",
        None,
    )
    assert refusal(lambda: rounding_amount(D("NaN"), "EUR")) == ("not_finite", "rounding", None)
    assert refusal(lambda: format_amount(1.5, "EUR")) == ("float", "amount", None)  # type: ignore[arg-type]
    assert refusal(lambda: check_base_quantity(D("1E+15"), 4)) == (
        "too_large",
        "base_quantity",
        None,
    )


def test_what_is_not_a_line_or_a_discount_is_a_type_error_on_its_field() -> None:
    with pytest.raises(MoneyTypeError) as caught:
        InvoiceInput((line("1", "1", "20"), "1 x 10"))  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field, caught.value.line) == ("not_a_line", "lines", 1)
    with pytest.raises(MoneyTypeError) as caught:
        Line(D(1), D(1), D(20), "S", "10 %")  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("not_a_discount", "discount")
    with pytest.raises(MoneyTypeError) as caught:
        InvoiceInput((line("1", "1", "20"),), discount="10 %")  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("not_a_discount", "discount")


def test_type_errors_say_float_or_not_decimal() -> None:
    assert refusal(lambda: checked(1.5, "quantity")) == ("float", "quantity", None)
    assert refusal(lambda: checked("1.5", "quantity")) == ("not_decimal", "quantity", None)
    assert refusal(lambda: parse_decimal(5)) == ("not_decimal", None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 40, "syntax"),  # 40 characters is the limit itself: not too long
        ("sNaN", "not_finite"),
        ("12X", "syntax"),  # X is no digit separator
        ("12a", "syntax"),  # digits then a letter: not an incomplete "12."
        ("1.5.", "syntax"),
        ("1.", "incomplete"),
        ("a5", "syntax"),  # not an incomplete ".5"
    ],
)
def test_parse_decimal_gives_the_right_reason(text: str, code: str) -> None:
    assert refusal(lambda: parse_decimal(text))[0] == code


# --- decimals a value needs: trailing zeros never count ---------------------------------------


@pytest.mark.parametrize(
    ("value", "places"), [("1.0", 0), ("1.00", 0), ("1.50", 1), ("1.500", 1), ("100", 0)]
)
def test_decimal_places_ignores_trailing_zeros(value: str, places: int) -> None:
    assert decimal_places(D(value)) == places


def test_yen_amounts_padded_with_zeros_are_whole_yen() -> None:
    # JPY has 0 minor units: "100.0" and "100.00" are 100 yen, "1.50" is not a whole yen.
    invoice = InvoiceInput(
        (line("1", "1000", "10"),), "JPY", discount=amount_off("100.0"), prepaid=D("100.00")
    )
    totals = compute_totals(invoice)
    # net 1000 - 100 = 900, VAT 10 % = 90, gross 990, due 990 - 100 = 890
    assert (totals.net, totals.tax, totals.due) == (D(900), D(90), D(890))
    assert refusal(lambda: InvoiceInput((line("1", "1000", "10"),), "JPY", prepaid=D("1.50"))) == (
        "too_precise",
        "prepaid",
        None,
    )


# --- price details (BG-29) ---------------------------------------------------------------------


def test_a_gross_price_without_discount_is_the_net_price() -> None:
    assert item_net_price(None, D("10"), None, 6) == D("10")  # BT-146 = 10 - 0
    assert item_net_price(None, D("10"), D("10"), 6) == D("0")  # the whole gross price off
    assert refusal(lambda: item_net_price(None, D("10"), D("0.0000001"), 6)) == (
        "too_precise",
        "price_discount",
        None,
    )
    assert refusal(lambda: item_net_price(None, None, None, 6)) == (
        "required",
        "unit_price",
        None,
    )


# --- the caller's decimal context changes nothing ----------------------------------------------


def test_group_keys_and_allocation_ignore_the_callers_context() -> None:
    with localcontext(TINY):
        assert group_key(Line(D(1), D(1), D("100"))) == ("S", D(100))
        assert str(group_key(Line(D(1), D(1), D("5.55")))[1]) == "5.55"
        # 1234.56 over 1000.00 and 234.56: each weight gets exactly itself
        assert allocate(D("1234.56"), [D("1000.00"), D("234.56")], 2) == (
            D("1000.00"),
            D("234.56"),
        )
        # 5.51 % is no rate in force (5.5 is); 2 digits would read it as 5.5
        assert unusual_rate("S", D("5.51"))


# --- categories: rates and exemptions ---------------------------------------------------------


def test_rate_rules_without_a_rate_and_zero_rates() -> None:
    assert rate_problem("S", None) is None  # a missing rate is "required", reported elsewhere
    assert not unusual_rate("S", D("0.00"))  # 0 is in the table (exempt, zero-rated)


def test_a_breakdown_states_its_lines_exemptions() -> None:
    lines = [
        Exemption("Art. 261 CGI"),
        Exemption("Art. 262", "VATEX-EU-132"),
        Exemption("Art. 261 CGI"),
    ]
    # distinct reasons in order, joined with "; ", and the first code given
    assert exemption_of("E", iter(lines)) == Exemption("Art. 261 CGI; Art. 262", "VATEX-EU-132")
    assert exemption_of("AE", [Exemption(code="VATEX-EU-AE")]) == Exemption("", "VATEX-EU-AE")
    assert exemption_of("G", [Exemption("Export")]) == Exemption("Export", "")
    assert exemption_of("K", [Exemption()]) == Exemption("Intra-Community supply", "VATEX-EU-IC")
    assert exemption_of("S", lines) == Exemption()
    assert (bool(Exemption()), bool(Exemption("x")), bool(Exemption(code="y"))) == (
        False,
        True,
        True,
    )


# --- the JSON the browser and the API read ------------------------------------------------------


def test_line_json_and_decimal_text() -> None:
    totals = compute_totals(InvoiceInput((Line(D(2), D("1.25"), D(20), "S", percent_off("10")),)))
    # 2 x 1.25 = 2.50, 10 % = 0.25 off, net 2.25
    lines: list[object] = list(totals.to_json()["lines"])
    assert lines == [
        {
            "extended": "2.50",
            "discount": "0.25",
            "allowances": "0.00",
            "charges": "0.00",
            "net": "2.25",
            "adjustments": [],
        }
    ]
    assert decimal_text(D("1.2E+3")) == "1200"
    assert Discount("amount", D(1)).value == D(1)
