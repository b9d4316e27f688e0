"""The money engine: worked EN 16931 examples, refusals, and properties over random invoices."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.currencies import MINOR_UNITS, UnknownCurrency, minor_units
from collab.invoice.money import (
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    MoneyTypeError,
    TaxBreakdown,
    Totals,
    allocate,
    compute_totals,
    format_amount,
    parse_decimal,
)

D = Decimal


def line(
    quantity: str,
    unit_price: str,
    rate: str,
    category: str = "S",
    discount: Discount | None = None,
) -> Line:
    return Line(D(quantity), D(unit_price), D(rate), category, discount)


def amount_off(value: str) -> Discount:
    return Discount("amount", D(value))


def percent_off(value: str) -> Discount:
    return Discount("percent", D(value))


def bases(totals: Totals) -> dict[tuple[str, str], str]:
    return {(g.category, str(g.rate)): str(g.base) for g in totals.tax_breakdown}


# --- worked examples --------------------------------------------------------------------------


def test_line_discount_reduces_the_taxable_base() -> None:
    totals = compute_totals(InvoiceInput((line("3", "45.00", "21", discount=amount_off("60")),)))

    assert totals.lines[0].extended == D("135.00")
    assert totals.lines[0].discount == D("60.00")
    assert totals.net == D("75.00")
    assert totals.tax == D("15.75")
    assert totals.gross == D("90.75")
    assert totals.tax_breakdown == (TaxBreakdown("S", D("21"), D("75.00"), D("15.75")),)
    assert totals.to_json()["gross"] == "90.75"


def test_vat_is_rounded_once_per_rate_not_per_line() -> None:
    lines = tuple(line("1", "2.49", "20") for _ in range(3))
    per_line = sum((D("2.49") * D("0.20")).quantize(D("0.01"), ROUND_HALF_UP) for _ in lines)
    assert per_line == D("1.50")  # the example only proves something if the two methods differ

    totals = compute_totals(InvoiceInput(lines))

    assert totals.tax == D("1.49")  # 7.47 x 20 % = 1.494 (BR-CO-17)
    assert totals.gross == D("8.96")


def test_percent_line_discount_rounds_half_up() -> None:
    totals = compute_totals(InvoiceInput((line("1", "0.10", "0", "Z", percent_off("25")),)))

    assert totals.lines[0].discount == D("0.03")  # 0.025
    assert totals.net == D("0.07")


def test_jpy_invoice_has_no_minor_units() -> None:
    invoice = InvoiceInput(
        (line("3", "333.5", "10"), line("1", "1250", "8")),
        currency="JPY",
        discount=amount_off("51"),
        prepaid=D("1000"),
    )

    totals = compute_totals(invoice)
    json = totals.to_json()

    assert [r.net for r in totals.lines] == [D("1001"), D("1250")]  # 1000.5 rounds up
    # 51 split over 1250 and 1001: 28.32 -> 28 and 22.68 -> 23.
    assert bases(totals) == {("S", "8"): "1222", ("S", "10"): "978"}
    assert [g.amount for g in totals.tax_breakdown] == [D("98"), D("98")]  # 97.76, 97.8
    assert (json["net"], json["tax"], json["gross"], json["due"]) == ("2200", "196", "2396", "1396")


def test_kwd_invoice_has_three_minor_units() -> None:
    invoice = InvoiceInput(
        (line("2.5", "0.4567", "5"), line("3", "10.125", "5", discount=percent_off("10"))),
        currency="KWD",
    )

    totals = compute_totals(invoice)

    assert totals.lines[0].net == D("1.142")  # 1.14175
    assert totals.lines[1].discount == D("3.038")  # 3.0375
    assert totals.tax_breakdown[0].base == D("28.479")
    assert totals.to_json()["tax"] == "1.424"  # 1.42395
    assert totals.to_json()["gross"] == "29.903"


def test_document_discount_is_allocated_pro_rata_with_remainder_to_first_largest() -> None:
    lines = (line("4", "25.00", "20"), line("2", "50.00", "5.5"), line("1", "100", "0", "Z"))

    totals = compute_totals(InvoiceInput(lines, discount=amount_off("10.00")))

    # Three equal shares of 3.333...: 3.33 each, and the remaining cent goes to the first group
    # in (category, rate) order among the equally large ones: S 5.5 %.
    assert bases(totals) == {
        ("S", "5.5"): "96.66",
        ("S", "20"): "96.67",
        ("Z", "0"): "96.67",
    }
    assert [str(g.amount) for g in totals.tax_breakdown] == ["5.32", "19.33", "0.00"]
    assert (totals.net, totals.tax, totals.gross) == (D("290.00"), D("24.65"), D("314.65"))


def test_document_discount_remainder_goes_to_the_largest_group() -> None:
    lines = (line("4", "25.00", "20"), line("2", "50.00", "5.5"), line("1", "100.01", "0", "Z"))

    totals = compute_totals(InvoiceInput(lines, discount=amount_off("10.00")))

    # Z has the largest base (100.01), so it takes the cent although it sorts last.
    assert bases(totals) == {("S", "5.5"): "96.67", ("S", "20"): "96.67", ("Z", "0"): "96.67"}
    assert totals.document_discount == D("10.00")


def test_mixed_rates_with_a_percent_document_discount() -> None:
    lines = (line("1", "120", "20"), line("1", "50", "5.5"), line("3", "10", "0", "Z"))

    totals = compute_totals(InvoiceInput(lines, discount=percent_off("10")))

    assert totals.document_discount == D("20.00")
    assert bases(totals) == {("S", "5.5"): "45.00", ("S", "20"): "108.00", ("Z", "0"): "27.00"}
    assert [str(g.amount) for g in totals.tax_breakdown] == ["2.48", "21.60", "0.00"]
    assert (totals.net, totals.tax, totals.gross) == (D("180.00"), D("24.08"), D("204.08"))


def test_prepaid_amount_reduces_the_amount_due() -> None:
    lines = (line("3", "45.00", "21", discount=amount_off("60")),)

    assert compute_totals(InvoiceInput(lines, prepaid=D("50"))).due == D("40.75")
    # Overpayment is allowed: the buyer is owed the difference.
    assert compute_totals(InvoiceInput(lines, prepaid=D("100.00"))).due == D("-9.25")


def test_credit_line_discount_moves_towards_zero() -> None:
    totals = compute_totals(InvoiceInput((line("-3", "45.00", "21", discount=amount_off("60")),)))

    assert totals.lines[0].discount == D("-60.00")
    assert (totals.net, totals.tax, totals.gross) == (D("-75.00"), D("-15.75"), D("-90.75"))


def test_rate_spellings_form_one_group_whatever_the_order() -> None:
    first = compute_totals(InvoiceInput((line("1", "1", "20.00"), line("1", "1", "20"))))
    second = compute_totals(InvoiceInput((line("1", "1", "20"), line("1", "1", "20.00"))))

    assert len(first.tax_breakdown) == 1
    assert first.to_json()["tax_breakdown"] == second.to_json()["tax_breakdown"]
    assert first.to_json()["tax_breakdown"][0]["rate"] == "20"


def test_empty_invoice_totals_are_zero_with_minor_units() -> None:
    json = compute_totals(InvoiceInput((), currency="KWD")).to_json()

    assert (json["net"], json["tax"], json["due"], json["tax_breakdown"]) == (
        "0.000",
        "0.000",
        "0.000",
        [],
    )


def test_format_amount_uses_the_currency_minor_units() -> None:
    assert format_amount(D("1199.5"), "JPY") == "1200"
    assert format_amount(D("2.0005"), "BHD") == "2.001"
    assert format_amount(D("-0.001"), "EUR") == "0.00"


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "code", "field"),
    [
        (lambda: line("1.00001", "1", "20"), "too_precise", "quantity"),
        (lambda: line("1", "0.0000001", "20"), "too_precise", "unit_price"),
        (lambda: line("1", "-1", "20"), "negative", "unit_price"),
        (lambda: line("1", "1", "100.5"), "out_of_range", "tax_rate"),
        (lambda: line("1", "1", "-1"), "negative", "tax_rate"),
        (lambda: line("1", "1", "20", "X"), "unknown_category", "tax_category"),
        (lambda: line("1", "NaN", "20"), "not_finite", "unit_price"),
        (lambda: line("1e15", "1", "20"), "too_large", "quantity"),
        (lambda: amount_off("-1"), "negative", "discount.value"),
        (lambda: percent_off("100.01"), "out_of_range", "discount.value"),
        (lambda: Discount("fixed", D(1)), "invalid_kind", "discount.kind"),  # type: ignore[arg-type]
        (lambda: InvoiceInput((), currency="XXX"), "unknown_currency", "currency"),
        (lambda: InvoiceInput((), currency="JPY", prepaid=D("0.5")), "too_precise", "prepaid"),
        (lambda: InvoiceInput((), prepaid=D("-1")), "negative", "prepaid"),
    ],
)
def test_invalid_input_is_refused_with_code_and_field(make, code, field) -> None:
    with pytest.raises(MoneyError) as caught:
        make()

    assert (caught.value.code, caught.value.field) == (code, field)


def test_line_amount_discount_finer_than_the_currency_names_the_line() -> None:
    with pytest.raises(MoneyError, match="JPY amounts have at most 0") as caught:
        InvoiceInput((line("1", "1", "0"), line("1", "9", "10", discount=amount_off("1.5"))), "JPY")

    assert (caught.value.code, caught.value.line) == ("too_precise", 1)


def test_line_discount_larger_than_the_line_is_refused() -> None:
    invoice = InvoiceInput((line("1", "5", "20"), line("-1", "5", "20", discount=amount_off("6"))))

    with pytest.raises(MoneyError, match="larger than the line amount") as caught:
        compute_totals(invoice)

    assert (caught.value.code, caught.value.line) == ("discount_exceeds_base", 1)


def test_document_discount_larger_than_the_lines_is_refused() -> None:
    invoice = InvoiceInput((line("1", "5", "20"),), discount=amount_off("5.01"))

    with pytest.raises(MoneyError, match="larger than the sum of the line nets") as caught:
        compute_totals(invoice)

    assert (caught.value.code, caught.value.line) == ("discount_exceeds_base", None)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Line(1.5, D(1), D(20)),  # type: ignore[arg-type]
        lambda: Line(D(1), D(1), 20.0),  # type: ignore[arg-type]
        lambda: Discount("amount", 0.1),  # type: ignore[arg-type]
        lambda: InvoiceInput((), prepaid=0.0),  # type: ignore[arg-type]
        lambda: Line(D(1), "1.50", D(20)),  # type: ignore[arg-type]
        lambda: Line(True, D(1), D(20)),  # type: ignore[arg-type]
        lambda: format_amount(1.5, "EUR"),  # type: ignore[arg-type]
        lambda: InvoiceInput([1]),  # type: ignore[arg-type]
    ],
)
def test_non_decimal_numbers_are_a_type_error(make) -> None:
    with pytest.raises(TypeError) as caught:
        make()

    assert isinstance(caught.value, MoneyError)


def test_ints_are_accepted_as_exact_decimals() -> None:
    totals = compute_totals(InvoiceInput((Line(D(2), 3, 20),), prepaid=1))  # type: ignore[arg-type]

    assert (totals.gross, totals.due) == (D("7.20"), D("6.20"))


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


# --- properties over random invoices ----------------------------------------------------------

RATES = ["0", "2.1", "5.5", "7", "10", "19.6", "20", "20.00", "21"]
CURRENCIES = ["EUR", "JPY", "KWD", "CLF"]


def _units(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


@st.composite
def decimals_up_to(draw: st.DrawFn, places: int, low: int, high: int) -> Decimal:
    used = draw(st.integers(0, places))
    return draw(st.decimals(min_value=low, max_value=high, places=used))


@st.composite
def discounts(draw: st.DrawFn, base: Decimal, places: int) -> Discount | None:
    """No discount, a percent, or an amount at most |base| (the engine refuses more)."""
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    if kind == "percent":
        return Discount("percent", draw(decimals_up_to(4, 0, 100)))
    if kind == "amount":
        units = draw(st.integers(0, abs(_units(base, places))))
        return Discount("amount", D(units).scaleb(-places))
    return None


@st.composite
def lines(draw: st.DrawFn, places: int) -> Line:
    quantity = draw(decimals_up_to(4, -200, 500))
    unit_price = draw(decimals_up_to(6, 0, 2000))
    with localcontext() as ctx:
        ctx.prec = 50
        extended = (quantity * unit_price).quantize(D(1).scaleb(-places), ROUND_HALF_UP)
    rate = draw(st.sampled_from(RATES))
    category = draw(st.sampled_from(["S", "Z", "AE"]))
    return Line(quantity, unit_price, D(rate), category, draw(discounts(extended, places)))


@st.composite
def invoices(draw: st.DrawFn) -> InvoiceInput:
    currency = draw(st.sampled_from(CURRENCIES))
    places = minor_units(currency)
    drawn = tuple(draw(st.lists(lines(places), max_size=10)))
    line_total = compute_totals(InvoiceInput(drawn, currency)).line_total
    prepaid = draw(decimals_up_to(places, 0, 10**6))  # "5" as well as "5.00": both are valid
    return InvoiceInput(drawn, currency, draw(discounts(line_total, places)), prepaid)


def _fields(value: object, name: str = "") -> Iterator[tuple[str, object]]:
    """Every leaf of a result, with the name of the field holding it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _fields(getattr(value, field.name), field.name)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _fields(item, name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _fields(item, key)
    else:
        yield name, value


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return value.quantize(D(1).scaleb(-places), ROUND_HALF_UP)


@given(invoices())
def test_totals_are_the_sums_of_their_parts(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)

    for result in totals.lines:
        assert result.net == result.extended - result.discount
    assert totals.line_total == sum(r.net for r in totals.lines)
    assert totals.net == totals.line_total - totals.document_discount
    assert totals.net == sum(g.base for g in totals.tax_breakdown)
    assert totals.tax == sum(g.amount for g in totals.tax_breakdown)
    assert totals.gross == totals.net + totals.tax
    assert totals.due == totals.gross - totals.prepaid
    assert totals.prepaid == invoice.prepaid


@given(invoices())
def test_each_group_base_is_its_line_nets_less_its_discount_share(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)

    shares = []
    for group in totals.tax_breakdown:
        nets = sum(
            r.net
            for li, r in zip(invoice.lines, totals.lines, strict=True)
            if (li.tax_category, li.tax_rate) == (group.category, group.rate)
        )
        shares.append(nets - group.base)
        with localcontext() as ctx:
            ctx.prec = 80
            exact = totals.document_discount * nets / totals.line_total if nets else D(0)
        assert abs(nets - group.base - exact) <= D(1).scaleb(-places) * len(totals.tax_breakdown)
    assert sum(shares) == totals.document_discount


@given(invoices())
def test_vat_per_group_is_its_summed_base_times_rate_rounded_half_up(
    invoice: InvoiceInput,
) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)

    for group in totals.tax_breakdown:
        with localcontext() as ctx:
            ctx.prec = 80
            assert group.amount == _round(group.base * group.rate / 100, places)
    keys = [(g.category, g.rate) for g in totals.tax_breakdown]
    assert keys == sorted(set(keys))


@given(invoices(), st.data())
def test_totals_do_not_depend_on_line_order(invoice: InvoiceInput, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(invoice.lines))))
    shuffled = dataclasses.replace(invoice, lines=tuple(invoice.lines[i] for i in order))

    before, after = compute_totals(invoice), compute_totals(shuffled)

    assert after.to_json() | {"lines": []} == before.to_json() | {"lines": []}
    assert after.lines == tuple(before.lines[i] for i in order)


@given(invoices())
def test_every_amount_has_exactly_the_currency_minor_units(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)
    pattern = r"-?[0-9]+" + (rf"\.[0-9]{{{places}}}" if places else "")

    for name, value in _fields(totals):
        if isinstance(value, Decimal) and name != "rate":
            assert value.as_tuple().exponent == -places, (name, value)
            assert not (value.is_zero() and value.is_signed()), (name, value)
    for name, text in _fields(totals.to_json()):
        if name not in {"rate", "category", "currency"}:
            assert isinstance(text, str) and re.fullmatch(pattern, text), (name, text)


@given(invoices())
def test_no_float_anywhere_in_the_result(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)

    leaves = list(_fields(totals)) + list(_fields(totals.to_json()))

    assert leaves
    assert not [leaf for leaf in leaves if isinstance(leaf[1], float)]
    assert {type(v) for _, v in _fields(totals)} <= {Decimal, str}
    assert {type(v) for _, v in _fields(totals.to_json())} == {str}


@given(invoices())
def test_negating_every_quantity_negates_every_amount(invoice: InvoiceInput) -> None:
    credit = dataclasses.replace(
        invoice,
        lines=tuple(dataclasses.replace(li, quantity=-li.quantity) for li in invoice.lines),
        prepaid=D(0),
    )
    debit = dataclasses.replace(invoice, prepaid=D(0))

    negated = compute_totals(credit)
    original = compute_totals(debit)

    for (name, a), (_, b) in zip(_fields(negated), _fields(original), strict=True):
        if isinstance(a, Decimal) and isinstance(b, Decimal) and name != "rate":
            assert a == -b, name
