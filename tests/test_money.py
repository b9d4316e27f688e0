"""The money engine: worked EN 16931 examples and refusals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP

import pytest

from collab.invoice.money import (
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    TaxBreakdown,
    compute_totals,
    format_amount,
)
from tests.money_helpers import D, amount_off, bases, line, percent_off

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
