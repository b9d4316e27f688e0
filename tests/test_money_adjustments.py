"""Allowances and charges (EN 16931 BG-20, BG-21, BG-27, BG-28) against figures worked by hand.

Every expected figure is computed in the comment beside it from the standard's formulas, never
read from the engine:
  BT-131 line net = quantity x net price - line allowances + line charges (BG-27 / BG-28)
  BT-136/BT-141 = BT-137/BT-142 base x BT-138/BT-143 percent / 100, rounded half-up
  BR-CO-10 BT-106 = sum of BT-131; BR-CO-11 BT-107 = sum of BT-92; BR-CO-12 BT-108 = sum of BT-99
  BR-CO-13 BT-109 = BT-106 - BT-107 + BT-108
  BR-S-08 (and the other categories' -08) BT-116 per (category, rate) = its line nets - its
  document allowances + its document charges; BR-CO-17 BT-117 = BT-116 x rate / 100, rounded

The shorthands here serve tests/test_money_adjustments_refusals.py (rows refused or reported,
the engine's own checks) and tests/test_money_adjustments_properties.py (random drafts) too.
"""

from __future__ import annotations

from typing import Any

from collab.invoice.validation import evaluate


def row(line_id: str, quantity: str, price: str, rate: str = "20", **fields: Any) -> dict[str, Any]:
    return {"id": line_id, "quantity": quantity, "unit_price": price, "tax_rate": rate, **fields}


def allowance(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "type": "allowance", "reason": "Discount", **fields}


def charge(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "type": "charge", "reason": "Freight", **fields}


def doc(lines: list[Any], adjustments: list[Any], **header: Any) -> dict[str, Any]:
    return {"invoice": {"currency": "EUR", **header}, "lines": lines, "adjustments": adjustments}


def totals_of(document: dict[str, Any]) -> dict[str, Any]:
    result = evaluate(document)
    assert result.totals is not None
    return dict(result.totals)


def figures(document: dict[str, Any]) -> tuple[str, ...]:
    t = totals_of(document)
    names = ("line_total", "allowances", "charges", "net", "tax", "gross")
    return tuple(t[name] for name in names)


def groups(document: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    breakdown = totals_of(document)["tax_breakdown"]
    return {(g["category"], g["rate"]): (g["base"], g["amount"]) for g in breakdown}


# --- document level: bound to one VAT group, never spread over rates ---------------------------


def test_a_document_allowance_and_charge_move_their_own_group_only() -> None:
    document = doc(
        [row("a", "1", "100.00", "20"), row("b", "1", "50.00", "10")],
        [
            allowance("x", amount="10.00", tax_rate="20"),
            charge("y", percent="5", tax_rate="10"),
        ],
    )
    # y: 5 % of group 10's line nets 50.00 = 2.50. Group 20: 100.00 - 10.00 = 90.00, VAT 18.00;
    # group 10: 50.00 + 2.50 = 52.50, VAT 5.25. BT-106 150.00, BT-107 10.00, BT-108 2.50,
    # BT-109 142.50, BT-110 23.25, BT-112 165.75.
    assert figures(document) == ("150.00", "10.00", "2.50", "142.50", "23.25", "165.75")
    assert groups(document) == {("S", "10"): ("52.50", "5.25"), ("S", "20"): ("90.00", "18.00")}
    assert totals_of(document)["adjustments"] == [
        {
            "id": "x",
            "charge": False,
            "amount": "10.00",
            "base": None,
            "percent": None,
            "category": "S",
            "rate": "20",
        },
        {
            "id": "y",
            "charge": True,
            "amount": "2.50",
            "base": "50.00",
            "percent": "5",
            "category": "S",
            "rate": "10",
        },
    ]


def test_a_charge_in_a_group_without_lines_makes_its_own_group() -> None:
    document = doc([row("a", "2", "100.00", "20")], [charge("c", amount="7.00", tax_rate="5.5")])
    # Group 20: 200.00, VAT 40.00; group 5.5: 7.00 x 5.5 % = 0.385 -> 0.39 (half-up).
    assert groups(document) == {("S", "20"): ("200.00", "40.00"), ("S", "5.5"): ("7.00", "0.39")}
    # BT-109 207.00, BT-110 40.39, BT-112 247.39
    assert figures(document) == ("200.00", "0.00", "7.00", "207.00", "40.39", "247.39")


def test_an_exempt_charge_and_an_outside_scope_charge_bear_no_vat() -> None:
    exempt = doc(
        [row("a", "1", "200.00", "20")],
        [charge("c", amount="15.00", tax_category="E", tax_rate="0", reason_code="ABL")],
    )
    # E group: 15.00 at 0 -> 0.00; S: 200.00 -> 40.00. BT-109 215.00, BT-112 255.00.
    assert groups(exempt) == {("E", "0"): ("15.00", "0.00"), ("S", "20"): ("200.00", "40.00")}
    assert figures(exempt) == ("200.00", "0.00", "15.00", "215.00", "40.00", "255.00")
    outside = doc(
        [row("a", "1", "80.00", "", tax_category="O")],
        [charge("c", amount="5.00", tax_category="O")],
    )
    # O has no rate (BR-O-05): 80.00 + 5.00 = 85.00, no VAT; BT-112 85.00.
    assert figures(outside) == ("80.00", "0.00", "5.00", "85.00", "0.00", "85.00")
    adjustment = totals_of(outside)["adjustments"][0]
    assert (adjustment["category"], adjustment["rate"]) == ("O", None)


def test_a_percent_of_a_stated_base() -> None:
    document = doc(
        [row("a", "12", "100.00", "20")],
        [allowance("x", percent="2.5", base="1000.00", tax_rate="20")],
    )
    # 2.5 % of 1000.00 = 25.00; group 20: 1200.00 - 25.00 = 1175.00, VAT 235.00.
    assert figures(document) == ("1200.00", "25.00", "0.00", "1175.00", "235.00", "1410.00")
    assert totals_of(document)["adjustments"][0]["base"] == "1000.00"


def test_a_default_base_is_the_group_line_nets_before_the_document_discount() -> None:
    document = doc(
        [row("a", "1", "100.00", "20")],
        [allowance("x", percent="10", tax_rate="20")],
        discount={"kind": "amount", "value": "10.00"},
    )
    # The allowance is 10 % of the line nets 100.00 = 10.00 (the discount is a sibling, not its
    # base). BT-107 = 10.00 + 10.00 = 20.00; group 20: 100.00 - 10.00 - 10.00 = 80.00, VAT 16.00.
    assert figures(document) == ("100.00", "20.00", "0.00", "80.00", "16.00", "96.00")
    assert totals_of(document)["document_discount"] == "10.00"


def test_the_document_discount_is_shared_on_line_nets_and_charges_stay_bound() -> None:
    document = doc(
        [row("a", "1", "100.00", "20"), row("b", "1", "100.00", "10")],
        [charge("c", amount="10.00", tax_rate="20")],
        discount={"kind": "percent", "value": "10"},
    )
    # Discount 10 % of 200.00 = 20.00, 10.00 per group (equal line nets). Group 20:
    # 100.00 - 10.00 + 10.00 = 100.00, VAT 20.00; group 10: 90.00, VAT 9.00. BT-109 190.00.
    assert groups(document) == {("S", "10"): ("90.00", "9.00"), ("S", "20"): ("100.00", "20.00")}
    assert figures(document) == ("200.00", "20.00", "10.00", "190.00", "29.00", "219.00")


def test_jpy_rounds_to_whole_yen() -> None:
    document = doc(
        [row("a", "3", "1234", "10")], [charge("c", percent="5", tax_rate="10")], currency="JPY"
    )
    # 3 x 1234 = 3702; 5 % = 185.1 -> 185; base 3887, VAT 388.7 -> 389; BT-112 4276.
    assert figures(document) == ("3702", "0", "185", "3887", "389", "4276")


def test_a_percent_rounds_half_up() -> None:
    document = doc([row("a", "1", "0.50", "20")], [charge("c", percent="5", tax_rate="20")])
    # 5 % of 0.50 = 0.025 -> 0.03; base 0.53, VAT 0.106 -> 0.11.
    assert figures(document) == ("0.50", "0.00", "0.03", "0.53", "0.11", "0.64")


# --- line level: several allowances and charges per line --------------------------------------


def test_a_line_with_two_allowances_and_a_charge() -> None:
    document = doc(
        [row("a", "4", "25.00", "20")],
        [
            allowance("p", line="a", percent="10"),
            allowance("q", line="a", amount="5.00"),
            charge("r", line="a", percent="2"),
        ],
    )
    # 4 x 25.00 = 100.00; 10 % = 10.00, 5.00, charge 2 % of 100.00 = 2.00:
    # BT-131 = 100.00 - 10.00 - 5.00 + 2.00 = 87.00, VAT 17.40.
    line = totals_of(document)["lines"][0]
    assert (line["extended"], line["allowances"], line["charges"], line["net"]) == (
        "100.00",
        "15.00",
        "2.00",
        "87.00",
    )
    assert [a["amount"] for a in line["adjustments"]] == ["10.00", "5.00", "2.00"]
    # Line-level ones are not document allowances: BT-107 and BT-108 stay zero.
    assert figures(document) == ("87.00", "0.00", "0.00", "87.00", "17.40", "104.40")


def test_a_line_allowance_adds_to_the_line_discount() -> None:
    document = doc(
        [row("a", "1", "200.00", "20", discount={"kind": "percent", "value": "10"})],
        [allowance("q", line="a", percent="5")],
    )
    # Both apply to 200.00: 20.00 + 10.00; BT-131 = 170.00.
    assert totals_of(document)["lines"][0]["net"] == "170.00"


def test_on_a_credit_line_a_percent_follows_the_sign_and_an_amount_is_subtracted() -> None:
    document = doc(
        [row("a", "-2", "10.00", "20")],
        [allowance("p", line="a", percent="10"), charge("c", line="a", amount="1.00")],
    )
    # -2 x 10.00 = -20.00; 10 % of it = -2.00, subtracted: -18.00; the charge adds 1.00: -17.00.
    line = totals_of(document)["lines"][0]
    assert (line["allowances"], line["charges"], line["net"]) == ("-2.00", "1.00", "-17.00")


# --- the figures as written: minor units, trailing zeros, rounding, whole lines -----------------


def test_a_stated_base_comes_back_with_the_currency_minor_units() -> None:
    document = doc([row("a", "1", "100")], [allowance("x", percent="10", base="50", tax_rate="20")])
    # 10 % of 50.00 = 5.00; the base is an amount (BT-93): two decimals in EUR.
    adjustment = totals_of(document)["adjustments"][0]
    assert (adjustment["amount"], adjustment["base"]) == ("5.00", "50.00")


def test_trailing_zeros_read_as_the_same_number() -> None:
    document = doc(
        [row("a", "1", "100.00", "20")],
        [
            allowance("x", line="a", amount="5.000"),  # 5.00
            charge("y", percent="10.00", base="20.0000", tax_rate="20.00"),  # 10 % of 20.00
        ],
    )
    totals = totals_of(document)
    assert totals["lines"][0]["adjustments"][0]["amount"] == "5.00"
    assert (totals["adjustments"][0]["amount"], totals["adjustments"][0]["base"]) == (
        "2.00",
        "20.00",
    )
    # The rate is the group's canonical one: 20.00 joins the lines at 20.
    assert totals["adjustments"][0]["rate"] == "20"
    assert groups(document) == {("S", "20"): ("97.00", "19.40")}


def test_rounding_is_away_from_zero_on_both_sides_and_zero_has_no_sign() -> None:
    document = doc(
        [row("a", "-1", "0.50", "20"), row("b", "1", "0", "20")],
        [charge("c", line="a", percent="5"), charge("z", line="b", percent="5")],
    )
    lines = totals_of(document)["lines"]
    # 5 % of -0.50 = -0.025 -> -0.03 (half away from zero); 5 % of 0.00 is "0.00", not "-0.00".
    assert [lines[0]["adjustments"][0]["amount"], lines[1]["adjustments"][0]["amount"]] == [
        "-0.03",
        "0.00",
    ]


def test_a_line_allowance_may_take_the_whole_line_and_a_charge_may_exceed_it() -> None:
    document = doc(
        [row("a", "1", "10.00", "20")],
        [allowance("all", line="a", amount="10.00"), charge("big", line="a", amount="25.00")],
    )
    line = totals_of(document)["lines"][0]
    # 10.00 - 10.00 + 25.00 = 25.00
    assert (line["allowances"], line["charges"], line["net"]) == ("10.00", "25.00", "25.00")
    first, second = line["adjustments"]
    assert (first["charge"], first["percent"], first["base"], first["category"]) == (
        False,
        None,
        None,
        None,
    )
    assert second["charge"] is True and second["rate"] is None
