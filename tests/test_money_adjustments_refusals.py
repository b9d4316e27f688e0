"""Allowances and charges (EN 16931 BG-20, BG-21, BG-27, BG-28) that are refused or reported:
an unusable row is reported on its own path, with its code and severity, and left out of the
totals; reasons and rates are checked, yet the row counts; and the engine checks the rows
itself, beyond what the document reader lets through. Also what is not refused: a charge over
100 %, three decimals in KWD. The shorthands are tests/test_money_adjustments.py's.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from collab.invoice.money import Adjustment, InvoiceInput, Line, MoneyError
from collab.invoice.validation import ERROR, WARNING, Evaluation, evaluate
from tests.test_money_adjustments import allowance, charge, doc, figures, groups, row, totals_of


def found(result: Evaluation) -> dict[str, tuple[str, str]]:
    return {issue.path: (issue.code, issue.severity) for issue in result.issues}


def test_an_amount_allowance_larger_than_its_line_is_refused_on_its_row() -> None:
    result = evaluate(doc([row("a", "1", "10.00")], [allowance("q", line="a", amount="10.01")]))
    assert found(result) == {"adjustments.q.amount": ("discount_exceeds_base", ERROR)}
    assert result.totals is not None and result.totals["lines"][0]["net"] == "10.00"
    assert not result.complete


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"amount": "", "percent": ""}, "adjustments.x.amount", "required"),
        ({"amount": "5", "percent": "5"}, "adjustments.x.percent", "amount_and_percent"),
        ({"amount": "-5"}, "adjustments.x.amount", "negative"),
        ({"amount": "1.001"}, "adjustments.x.amount", "too_precise"),
        ({"base": "10.001", "percent": "5"}, "adjustments.x.base", "too_precise"),
        ({"percent": "10.00001"}, "adjustments.x.percent", "too_precise"),
        ({"percent": "100.0001"}, "adjustments.x.percent", "out_of_range"),
        ({"percent": "101"}, "adjustments.x.percent", "out_of_range"),
        ({"amount": "1e3"}, "adjustments.x.amount", "exponent"),
        ({"type": "rebate"}, "adjustments.x.type", "invalid_type"),
        ({"line": "zz"}, "adjustments.x.line", "unknown_line"),
        ({"tax_category": "X"}, "adjustments.x.tax_category", "unknown_category"),
        ({"tax_rate": ""}, "adjustments.x.tax_rate", "required"),
        ({"tax_rate": "101"}, "adjustments.x.tax_rate", "out_of_range"),
    ],
)
def test_an_unusable_row_is_reported_and_not_counted(
    fields: dict[str, str], path: str, code: str
) -> None:
    base = {"amount": "5.00", "tax_rate": "20", **fields}
    if "percent" in fields and "amount" not in fields:
        del base["amount"]
    result = evaluate(doc([row("a", "1", "100.00")], [allowance("x", **base)]))
    assert found(result).get(path, ("", ""))[0] == code, result.issues
    assert result.totals is not None
    assert (result.totals["allowances"], result.totals["net"]) == ("0.00", "100.00")
    assert not result.complete


def test_a_charge_may_exceed_a_hundred_percent() -> None:
    # 150 % of 10.00 = 15.00
    document = doc([row("a", "1", "10.00")], [charge("c", percent="150", tax_rate="20")])
    assert totals_of(document)["charges"] == "15.00"


def test_a_kwd_amount_has_three_decimals() -> None:
    document = doc([row("a", "1", "10.000")], [charge("c", amount="1.005", tax_rate="20")])
    document["invoice"]["currency"] = "KWD"
    # 10.000 + 1.005 = 11.005, VAT 20 % = 2.201
    assert figures(document) == ("10.000", "0.000", "1.005", "11.005", "2.201", "13.206")


def test_reasons_are_required_and_checked_but_the_row_counts() -> None:
    document = doc(
        [row("a", "1", "100.00")],
        [
            {"id": "n", "amount": "1.00", "tax_rate": "20"},
            allowance("w", amount="1.00", tax_rate="20", reason_code="FC"),
            charge("v", amount="1.00", tax_rate="20", reason_code="95"),
            charge("ok", amount="1.00", tax_rate="20", reason="", reason_code="FC"),
        ],
    )
    result = evaluate(document)
    assert found(result) == {
        "adjustments.n.reason": ("reason_required", ERROR),  # BR-33
        "adjustments.w.reason_code": ("unknown_reason_code", ERROR),  # BR-CL-19: FC is 7161
        "adjustments.v.reason_code": ("unknown_reason_code", ERROR),  # BR-CL-20: 95 is 5189
    }
    # All four count: 100.00 - 2.00 + 2.00
    assert figures(document)[1:4] == ("2.00", "2.00", "100.00")
    assert result.complete


def test_a_rate_unfit_for_its_category_is_reported_yet_counts() -> None:
    document = doc(
        [row("a", "1", "100.00")],
        [
            charge("o", amount="5.00", tax_category="O", tax_rate="5"),
            charge("s", amount="5.00", tax_category="S", tax_rate="0"),
        ],
    )
    result = evaluate(document)
    assert {path: code for path, (code, _) in found(result).items()} == {
        "adjustments.o.tax_rate": "rate_not_allowed",
        "adjustments.s.tax_rate": "rate_not_allowed",
    }
    # O stays without a rate (no VAT); S at 0 is its own group.
    assert groups(document) == {
        ("O", "0"): ("5.00", "0.00"),
        ("S", "0"): ("5.00", "0.00"),
        ("S", "20"): ("100.00", "20.00"),
    }


def test_an_unusual_rate_is_a_warning() -> None:
    result = evaluate(doc([row("a", "1", "10")], [charge("c", amount="1", tax_rate="19.7")]))
    assert found(result) == {"adjustments.c.tax_rate": ("unknown_tax_rate", WARNING)}


def test_rows_of_a_line_left_out_are_left_out_silently() -> None:
    document = doc(
        [row("a", "x", "10.00"), row("b", "1", "10.00")],
        [charge("c", line="a", amount="1.00"), charge("d", line="b", amount="1.00")],
    )
    result = evaluate(document)
    assert [path for path in found(result) if path.startswith("adjustments")] == []
    assert result.totals is not None and result.totals["line_total"] == "11.00"


def test_the_refused_row_is_named_when_the_same_line_has_several() -> None:
    document = doc(
        [row("a", "1", "10.00")],
        [
            allowance("ok", line="a", amount="2.00"),
            allowance("big", line="a", amount="11.00"),
            charge("c", line="a", amount="1.00"),
        ],
    )
    result = evaluate(document)
    assert found(result) == {"adjustments.big.amount": ("discount_exceeds_base", ERROR)}
    # 10.00 - 2.00 + 1.00 = 9.00
    assert result.totals is not None and result.totals["lines"][0]["net"] == "9.00"


# --- the engine's own checks, beyond what the document reader lets through ------------------------


@pytest.mark.parametrize(
    ("category", "rate", "code"),
    [
        ("X", "20", "unknown_category"),
        ("S", None, "required"),
        ("O", "5", "rate_not_allowed"),
        ("S", "100.5", "out_of_range"),
        ("S", "-1", "negative"),
        ("S", "5.00001", "too_precise"),
    ],
)
def test_a_document_adjustment_is_checked_like_a_line(
    category: str, rate: str | None, code: str
) -> None:
    item = Adjustment(True, amount=Decimal("1"), tax_category=category)
    item = replace(item, tax_rate=None if rate is None else Decimal(rate))
    lines = (Line(Decimal(1), Decimal(10), Decimal(20)),)
    with pytest.raises(MoneyError) as raised:
        InvoiceInput(
            lines, adjustments=(Adjustment(False, amount=Decimal(1), tax_rate=Decimal(20)), item)
        )
    assert (raised.value.code, raised.value.adjustment, raised.value.line) == (code, 1, None)


def test_bounds_are_checked_on_a_line_adjustment_too() -> None:
    big = Adjustment(False, percent=Decimal("100.5"))
    line = Line(Decimal(1), Decimal(10), Decimal(20), adjustments=(big,))
    with pytest.raises(MoneyError) as raised:
        InvoiceInput((line,))
    assert (raised.value.code, raised.value.field) == ("out_of_range", "percent")
    assert (raised.value.line, raised.value.adjustment) == (0, 0)
