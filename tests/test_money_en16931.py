"""Issue 12's engine defects and VAT categories, against figures worked by hand from EN 16931.

Every expected figure below is computed in the comment beside it from the standard's formulas,
never read from the engine:
  BT-131 line net = quantity x net price - line allowances (+ line charges)
  BT-136 percent allowance = BT-137 base x BT-138 percent / 100
  BR-CO-10 BT-106 = sum of BT-131;  BR-CO-13 BT-109 = BT-106 - BT-107 (+ BT-108)
  BR-S-08 (and Z/E/AE/K/G/O/L/M-08) BT-116 per (category, rate) = its line nets - its allowances
  BR-CO-17 BT-117 = BT-116 x rate / 100, rounded;  BR-CO-14 BT-110 = sum of BT-117
  BR-CO-15 BT-112 = BT-109 + BT-110
"""

from __future__ import annotations

from typing import Any

import pytest

from collab.invoice.money import InvoiceInput, Line, MoneyError, TaxBreakdown, compute_totals
from collab.invoice.validation import WARNING, evaluate
from tests.money_helpers import D, amount_off, bases, line, percent_off


def row(line_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": line_id, "quantity": "1", "unit_price": "10", "tax_rate": "20", **fields}


def issues(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {i.path: (i.code, i.severity) for i in evaluate(document).issues}


# --- defect a: a line outside the short tables still counts -----------------------------------


def test_a_line_with_an_unknown_unit_or_rate_is_counted_and_reported() -> None:
    document = {
        "invoice": {"currency": "EUR"},
        "lines": [
            row("a", quantity="2", unit_price="10.00", tax_rate="20", unit="BOX"),
            row("b", quantity="1", unit_price="50.00", tax_rate="19.6"),
        ],
    }

    result = evaluate(document)

    assert result.complete and result.counted == ("a", "b")
    assert result.totals is not None
    # a: 2 x 10.00 = 20.00 at 20 % -> 4.00; b: 50.00 at 19.6 % -> 9.80
    assert result.totals["tax_breakdown"] == [
        {"category": "S", "rate": "19.6", "base": "50.00", "amount": "9.80"},
        {"category": "S", "rate": "20", "base": "20.00", "amount": "4.00"},
    ]
    # BT-109 = 70.00, BT-110 = 13.80, BT-112 = 83.80
    assert (result.totals["net"], result.totals["tax"], result.totals["gross"]) == (
        "70.00",
        "13.80",
        "83.80",
    )
    assert issues(document) == {
        "lines.a.unit": ("unknown_unit", WARNING),
        "lines.b.tax_rate": ("unknown_tax_rate", WARNING),
    }


def test_warnings_do_not_block_a_submit_but_errors_do() -> None:
    from collab.invoice.approval import readiness

    warned = {"invoice": {}, "lines": [row("a", unit="BOX")]}
    wrong = {"invoice": {}, "lines": [row("a", tax_category="Z")]}  # Z at 20 %: BR-Z-05

    assert readiness(warned).blocking == ()
    assert readiness(wrong).blocking == ("lines.a.tax_rate",)


def test_the_whole_unit_code_lists_are_known() -> None:
    # Rec 20 (KGM, HUR, 4H micrometre), Rec 21 package units (XBX box, XPX pallet).
    units = ["KGM", "HUR", "4H", "XBX", "XPX", "E48", "MWH"]
    document = {"invoice": {}, "lines": [row(str(i), unit=u) for i, u in enumerate(units)]}

    assert issues(document) == {}


# --- defect b: a document discount never removes more than itself ------------------------------


def test_document_discount_is_not_inflated_by_a_credit_line_in_another_group() -> None:
    lines = (line("1", "100.00", "20"), line("-1", "50.00", "5.5"))

    totals = compute_totals(InvoiceInput(lines, discount=amount_off("10.00")))

    # BT-106 = 100.00 - 50.00 = 50.00; the 10.00 allowance goes to the group that goes the
    # invoice's way (S 20 %): 100.00 - 10.00 = 90.00 -> VAT 18.00. S 5.5 % keeps its -50.00
    # -> VAT -2.75. The allowances per group sum to 10.00 and none exceeds 10.00 in size.
    assert bases(totals) == {("S", "5.5"): "-50.00", ("S", "20"): "90.00"}
    assert [g.amount for g in totals.tax_breakdown] == [D("-2.75"), D("18.00")]
    # BT-109 = 50.00 - 10.00 = 40.00; BT-110 = 15.25; BT-112 = 55.25
    assert (totals.net, totals.tax, totals.gross) == (D("40.00"), D("15.25"), D("55.25"))


def test_percent_document_discount_with_a_credit_line_in_another_group() -> None:
    lines = (line("1", "100.00", "20"), line("-1", "50.00", "5.5"))

    totals = compute_totals(InvoiceInput(lines, discount=percent_off("10")))

    # 10 % of BT-106 50.00 = 5.00, all on S 20 %: 95.00 -> 19.00; S 5.5 %: -50.00 -> -2.75
    assert totals.document_discount == D("5.00")
    assert bases(totals) == {("S", "5.5"): "-50.00", ("S", "20"): "95.00"}
    assert (totals.net, totals.tax, totals.gross) == (D("45.00"), D("16.25"), D("61.25"))


def test_document_discount_on_a_credit_invoice_goes_to_the_credit_groups() -> None:
    lines = (line("-2", "100.00", "20"), line("1", "30.00", "5.5"), line("-1", "100.00", "10"))

    totals = compute_totals(InvoiceInput(lines, discount=percent_off("10")))

    # BT-106 = -200.00 + 30.00 - 100.00 = -270.00; 10 % = -27.00, shared by the two negative
    # groups pro rata: S 20 % -27 x 200/300 = -18.00, S 10 % -9.00; S 5.5 % untouched.
    # Bases: -200 + 18 = -182.00 (VAT -36.40), -100 + 9 = -91.00 (-9.10), 30.00 (1.65)
    assert bases(totals) == {("S", "5.5"): "30.00", ("S", "10"): "-91.00", ("S", "20"): "-182.00"}
    assert totals.tax == D("-43.85")
    assert (totals.net, totals.gross) == (D("-243.00"), D("-286.85"))


# --- defect c: an amount allowance is subtracted, whatever the line's sign ---------------------


def test_amount_discount_on_a_credit_line_is_subtracted_from_it() -> None:
    totals = compute_totals(InvoiceInput((line("-3", "45.00", "21", discount=amount_off("60")),)))

    # BT-131 = -3 x 45.00 - 60.00 = -195.00; VAT -195.00 x 21 % = -40.95; gross -235.95
    assert totals.lines[0].discount == D("60.00")
    assert totals.lines[0].net == D("-195.00")
    assert (totals.net, totals.tax, totals.gross) == (D("-195.00"), D("-40.95"), D("-235.95"))


def test_percent_discount_on_a_credit_line_is_a_percent_of_its_base() -> None:
    totals = compute_totals(InvoiceInput((line("-3", "45.00", "21", discount=percent_off("10")),)))

    # BT-136 = -135.00 x 10 / 100 = -13.50; BT-131 = -135.00 - (-13.50) = -121.50
    # VAT -121.50 x 21 % = -25.515 -> -25.52 (half-up, away from zero); gross -147.02
    assert totals.lines[0].discount == D("-13.50")
    assert (totals.net, totals.tax, totals.gross) == (D("-121.50"), D("-25.52"), D("-147.02"))


def test_amount_discount_on_a_credit_invoice_is_subtracted_from_it() -> None:
    lines = (line("-1", "100.00", "20"),)

    totals = compute_totals(InvoiceInput(lines, discount=amount_off("10.00")))

    # BT-109 = -100.00 - 10.00 = -110.00 -> VAT -22.00
    assert totals.document_discount == D("10.00")
    assert (totals.net, totals.tax, totals.gross) == (D("-110.00"), D("-22.00"), D("-132.00"))


def test_an_amount_discount_stays_bounded_by_its_line_whatever_the_sign() -> None:
    for quantity in ("1", "-1"):
        with pytest.raises(MoneyError) as caught:
            compute_totals(InvoiceInput((line(quantity, "5", "20", discount=amount_off("5.01")),)))
        assert caught.value.code == "discount_exceeds_base"
    exact = compute_totals(InvoiceInput((line("-1", "5", "20", discount=amount_off("5")),)))
    assert exact.lines[0].net == D("-10.00")  # -5.00 - 5.00


# --- VAT categories (BR-x-05 rates, BR-x-08 bases, BR-x-10 exemptions) ------------------------


def test_every_category_makes_its_own_breakdown() -> None:
    lines = (
        line("1", "100", "20", "S"),
        line("1", "10", "0", "Z"),
        line("1", "20", "0", "E"),
        line("1", "30", "0", "AE"),
        line("1", "40", "0", "K"),
        line("1", "50", "0", "G"),
        Line(D(1), D(60), None, "O"),
        line("1", "70", "7", "L"),
        line("1", "80", "10", "M"),
        line("1", "90", "22", "B"),
    )

    totals = compute_totals(InvoiceInput(lines))

    # L: 70 x 7 % = 4.90; M: 80 x 10 % = 8.00; B: 90 x 22 % = 19.80; S: 20.00; the rest 0.
    assert [(g.category, g.amount) for g in totals.tax_breakdown] == [
        ("AE", D("0.00")),
        ("B", D("19.80")),
        ("E", D("0.00")),
        ("G", D("0.00")),
        ("K", D("0.00")),
        ("L", D("4.90")),
        ("M", D("8.00")),
        ("O", D("0.00")),
        ("S", D("20.00")),
        ("Z", D("0.00")),
    ]
    assert (totals.net, totals.tax, totals.gross) == (D("550.00"), D("52.70"), D("602.70"))
    assert totals.tax_breakdown[7] == TaxBreakdown("O", D(0), D("60.00"), D("0.00"))


@pytest.mark.parametrize(
    ("category", "rate", "code"),
    [
        ("S", "0", "rate_not_allowed"),  # BR-S-05
        ("B", "0", "rate_not_allowed"),
        ("Z", "5.5", "rate_not_allowed"),  # BR-Z-05
        ("E", "20", "rate_not_allowed"),  # BR-E-05
        ("AE", "20", "rate_not_allowed"),  # BR-AE-05
        ("K", "20", "rate_not_allowed"),  # BR-IC-05
        ("G", "20", "rate_not_allowed"),  # BR-G-05
        ("O", "20", "rate_not_allowed"),  # BR-O-05
        ("L", "6.5", "unknown_tax_rate"),  # IGIC has 0, 1, 3, 5, 7, 9.5, 15, 20
        ("M", "7", "unknown_tax_rate"),  # IPSI has 0, 0.5, 1, 2, 3, 4, 5, 6, 8, 10
        ("S", "19.6", "unknown_tax_rate"),
        ("Q", "20", "unknown_category"),
    ],
)
def test_rates_that_do_not_suit_the_category_are_reported(
    category: str, rate: str, code: str
) -> None:
    document = {"invoice": {}, "lines": [row("a", tax_category=category, tax_rate=rate)]}

    assert (
        issues(document)[
            "lines.a.tax_rate" if code != "unknown_category" else "lines.a.tax_category"
        ][0]
        == code
    )


@pytest.mark.parametrize(
    ("category", "rate"),
    [
        ("S", "20"),
        ("B", "22"),
        ("Z", "0"),
        ("E", "0"),
        ("AE", "0.00"),
        ("K", "0"),
        ("G", "0"),
        ("O", ""),
        ("O", "0"),
        ("L", "0"),
        ("L", "9.5"),
        ("M", "0.5"),
        ("M", "10"),
    ],
)
def test_rates_that_suit_the_category_pass(category: str, rate: str) -> None:
    fields = {"tax_category": category, "tax_rate": rate, "exemption_code": ""}
    if category in {"E", "AE", "K", "G", "O"}:
        fields["exemption_reason"] = "why"
    result = evaluate({"invoice": {}, "lines": [row("a", **fields)]})

    assert result.issues == [] and result.complete


def test_category_o_counts_without_a_rate_and_bears_no_vat() -> None:
    document = {
        "invoice": {},
        "lines": [row("a", tax_category="O", tax_rate="", exemption_code="VATEX-EU-O")],
    }

    result = evaluate(document)

    assert result.totals is not None and result.complete
    assert result.totals["tax_breakdown"] == [
        {"category": "O", "rate": "0", "base": "10.00", "amount": "0.00"}
    ]


def test_a_rate_on_an_o_line_is_reported_and_the_line_bears_no_vat() -> None:
    result = evaluate({"invoice": {}, "lines": [row("a", tax_category="O", tax_rate="20")]})

    assert result.totals is not None and result.totals["tax"] == "0.00"
    assert ("lines.a.tax_rate", "rate_not_allowed") in [(i.path, i.code) for i in result.issues]


def test_the_engine_refuses_a_rate_on_o_and_a_missing_rate_elsewhere() -> None:
    with pytest.raises(MoneyError) as caught:
        Line(D(1), D(1), D(20), "O")
    assert (caught.value.code, caught.value.field) == ("rate_not_allowed", "tax_rate")
    with pytest.raises(MoneyError) as caught:
        Line(D(1), D(1), None, "S")
    assert (caught.value.code, caught.value.field) == ("required", "tax_rate")
    assert Line(D(1), D(1), D(0), "O").tax_rate == D(0)  # 0 says the same as no rate


# --- exemption reasons -----------------------------------------------------------------------


def test_exempt_lines_without_a_reason_are_warned_once_their_group_has_none() -> None:
    document = {
        "invoice": {},
        "lines": [
            row("a", tax_category="E", tax_rate="0"),
            row("b", tax_category="E", tax_rate="0", exemption_reason="Art. 261 C CGI"),
            row("c", tax_category="K", tax_rate="0"),
        ],
    }

    assert issues(document) == {"lines.c.exemption_reason": ("exemption_missing", WARNING)}


def test_exemption_codes_must_be_vatex_and_agree_within_a_group() -> None:
    document = {
        "invoice": {},
        "lines": [
            row("a", tax_category="E", tax_rate="0", exemption_code="VATEX-EU-132-1I"),
            row("b", tax_category="E", tax_rate="0", exemption_code="VATEX-EU-132-1J"),
            row("c", tax_category="G", tax_rate="0", exemption_code="VATEX-XX"),
        ],
    }

    assert issues(document) == {
        "lines.b.exemption_code": ("exemption_conflict", "error"),
        "lines.c.exemption_code": ("unknown_exemption_code", "error"),
    }
