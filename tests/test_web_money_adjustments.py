"""Allowances and charges (EN 16931 BG-20/21/27/28, the `adjustments` root): worked examples
whose totals are computed by hand from the EN 16931 formulas, checked against both engines
(collab/invoice/validation.py and web/src/evaluate.ts). The random drafts of
tests/test_web_money.py carry adjustments too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.parity import browser_evaluate, comparable, evaluate_cli, server_evaluate


@pytest.fixture(scope="module")
def cli() -> str:
    return evaluate_cli()


def line(id: str, quantity: str, price: str, rate: str, **more: Any) -> dict[str, Any]:
    return {"id": id, "quantity": quantity, "unit_price": price, "tax_rate": rate, **more}


def row(id: str, **fields: str) -> dict[str, str]:
    return {"id": id, **fields}


def group(category: str, rate: str, base: str, amount: str) -> dict[str, str]:
    return {"category": category, "rate": rate, "base": base, "amount": amount}


def adjustment(
    id: str, charge: bool, amount: str, base: str | None = None, percent: str | None = None,
    category: str | None = None, rate: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": id,
        "charge": charge,
        "amount": amount,
        "base": base,
        "percent": percent,
        "category": category,
        "rate": rate,
    }


# (document, expected totals fields); each expectation is derived in the comments.
WORKED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        # Document level, one allowance and one charge bound to different rates.
        # Lines: 100.00 @ S 20, 50.00 @ S 10 -> BT-106 = 150.00.
        # Allowance 10.00 @ S 20 (amount mode). Charge 5 % @ S 10, default base = the S 10 line
        # nets = 50.00 -> 2.50. BT-107 = 10.00, BT-108 = 2.50.
        # BT-116 S 10 = 50.00 + 2.50 = 52.50, BT-117 = 5.25; S 20 = 100.00 - 10.00 = 90.00, 18.00.
        # BT-109 = 150.00 - 10.00 + 2.50 = 142.50; BT-110 = 23.25; BT-112 = 165.75.
        {
            "invoice": {"currency": "EUR"},
            "lines": [line("a", "1", "100.00", "20"), line("b", "2", "25.00", "10")],
            "adjustments": [
                row("x", amount="10.00", tax_rate="20", reason="Loyalty"),
                row("y", type="charge", percent="5", tax_rate="10", reason_code="FC"),
            ],
        },
        {
            "line_total": "150.00",
            "document_discount": "0.00",
            "allowances": "10.00",
            "charges": "2.50",
            "net": "142.50",
            "tax": "23.25",
            "gross": "165.75",
            "due": "165.75",
            "tax_breakdown": [
                group("S", "10", "52.50", "5.25"),
                group("S", "20", "90.00", "18.00"),
            ],
            "adjustments": [
                adjustment("x", False, "10.00", category="S", rate="20"),
                adjustment("y", True, "2.50", "50.00", "5", "S", "10"),
            ],
        },
    ),
    (
        # Line level beside the line's own discount, and a header discount.
        # 3 x 45.00 = 135.00 (BT-131 before allowances); discount 5.00; allowance 10 % of the
        # default base 135.00 = 13.50 (BT-136/137/138); charge 2.00 (BT-141).
        # BT-131 = 135.00 - 5.00 - 13.50 + 2.00 = 118.50 = BT-106.
        # Header discount 10 % of 118.50 = 11.85 = BT-107; BT-109 = 106.65;
        # VAT 21 %: 106.65 x 0.21 = 22.3965 -> 22.40; BT-112 = 129.05.
        {
            "invoice": {"currency": "EUR", "discount": {"kind": "percent", "value": "10"}},
            "lines": [
                line("a", "3", "45.00", "21", discount={"kind": "amount", "value": "5.00"}),
            ],
            "adjustments": [
                row("p", line="a", percent="10", reason_code="95"),
                row("q", line="a", type="charge", amount="2.00", reason="Packing"),
            ],
        },
        {
            "lines": [
                {
                    "extended": "135.00",
                    "discount": "5.00",
                    "allowances": "13.50",
                    "charges": "2.00",
                    "net": "118.50",
                    "adjustments": [
                        adjustment("p", False, "13.50", "135.00", "10"),
                        adjustment("q", True, "2.00"),
                    ],
                }
            ],
            "line_total": "118.50",
            "document_discount": "11.85",
            "allowances": "11.85",
            "charges": "0.00",
            "net": "106.65",
            "tax": "22.40",
            "gross": "129.05",
            "tax_breakdown": [group("S", "21", "106.65", "22.40")],
            "adjustments": [],
        },
    ),
    (
        # JPY (no minor units), a charge of category O (no rate, BR-O-06) forming a group of its
        # own, and an allowance 3 % of a stated base 1001 at S 10.
        # 3 x 333.5 = 1000.5 -> 1001. Allowance 1001 x 3 % = 30.03 -> 30. Charge 500.
        # S 10: 1001 - 30 = 971, VAT 97.1 -> 97. O: base 500, VAT 0.
        # BT-107 = 30, BT-108 = 500, BT-109 = 1001 - 30 + 500 = 1471, BT-112 = 1568.
        {
            "invoice": {"currency": "JPY"},
            "lines": [line("a", "3", "333.5", "10")],
            "adjustments": [
                row("h", type="charge", amount="500", tax_category="O", reason="Handling"),
                row("d", percent="3", base="1001", tax_rate="10", reason="Volume"),
            ],
        },
        {
            "line_total": "1001",
            "allowances": "30",
            "charges": "500",
            "net": "1471",
            "tax": "97",
            "gross": "1568",
            "tax_breakdown": [group("O", "0", "500", "0"), group("S", "10", "971", "97")],
            "adjustments": [
                adjustment("h", True, "500", category="O"),
                adjustment("d", False, "30", "1001", "3", "S", "10"),
            ],
        },
    ),
    (
        # KWD (3 minor units): a charge 2.5 % of a stated base 100.000 at S 20, a rate no line
        # has: the group holds the charge only. 2 x 10.125 = 20.250 @ S 5, VAT 1.0125 -> 1.013.
        # Charge 2.500; S 20 VAT 0.500. BT-109 = 22.750, BT-110 = 1.513, BT-112 = 24.263.
        {
            "invoice": {"currency": "KWD"},
            "lines": [line("a", "2", "10.125", "5")],
            "adjustments": [
                row("c", type="charge", percent="2.5", base="100.000", tax_rate="20", reason="x"),
            ],
        },
        {
            "net": "22.750",
            "tax": "1.513",
            "gross": "24.263",
            "tax_breakdown": [
                group("S", "5", "20.250", "1.013"),
                group("S", "20", "2.500", "0.500"),
            ],
            "adjustments": [adjustment("c", True, "2.500", "100.000", "2.5", "S", "20")],
        },
    ),
    (
        # A credit line: -2 x 50.00 = -100.00; a 10 % allowance of it has the base's sign,
        # -10.00, so BT-131 = -100.00 - (-10.00) = -90.00; VAT 20 % = -18.00; BT-112 = -108.00.
        {
            "invoice": {"currency": "EUR"},
            "lines": [line("a", "-2", "50.00", "20")],
            "adjustments": [row("r", line="a", percent="10", reason="Returned goods")],
        },
        {
            "lines": [
                {
                    "extended": "-100.00",
                    "discount": "0.00",
                    "allowances": "-10.00",
                    "charges": "0.00",
                    "net": "-90.00",
                    "adjustments": [adjustment("r", False, "-10.00", "-100.00", "10")],
                }
            ],
            "net": "-90.00",
            "tax": "-18.00",
            "gross": "-108.00",
        },
    ),
]


@pytest.mark.parametrize(("document", "expected"), WORKED, ids=[str(i) for i in range(len(WORKED))])
def test_worked_examples_by_hand(
    cli: str, document: dict[str, Any], expected: dict[str, Any]
) -> None:
    server = server_evaluate(document)
    [browser] = browser_evaluate(cli, [document])
    assert comparable(browser) == server
    assert server["issues"] == []
    for name, value in expected.items():
        assert server["totals"][name] == value, name


# Every row below is refused or only reported; the totals count what is usable.
PROBLEMS: dict[str, Any] = {
    "invoice": {"currency": "EUR"},
    "lines": [line("a", "1", "100.00", "20"), line("b", "1", "x", "20")],
    "adjustments": [
        row("neither", reason="r"),
        row("both", amount="1", percent="2", reason="r"),
        row("lost", line="nope", amount="1", reason="r"),
        row("uncounted", line="b", amount="1", reason="r"),
        row("kind", type="rebate", amount="1", reason="r"),
        row("category", amount="1", tax_category="X", tax_rate="20", reason="r"),
        row("norate", amount="1", reason="r"),
        row("o_rate", amount="1", tax_category="O", tax_rate="5", reason="r"),
        row("toobig", line="a", amount="100.01", reason="r"),
        row("over", percent="100.5", tax_rate="20", reason="r"),
        row("precise", amount="0.001", tax_rate="20", reason="r"),
        row("silent", amount="1.00", tax_rate="20"),
        row("code", type="charge", amount="2.00", tax_rate="20", reason_code="95"),
    ],
}


def test_refused_and_reported_rows_agree(cli: str) -> None:
    server = server_evaluate(PROBLEMS)
    [browser] = browser_evaluate(cli, [PROBLEMS])
    assert comparable(browser) == server
    codes = {(path, code) for path, code, _ in server["issues"]}
    assert {
        ("adjustments.neither.amount", "required"),
        ("adjustments.both.percent", "amount_and_percent"),
        ("adjustments.lost.line", "unknown_line"),
        ("adjustments.kind.type", "invalid_type"),
        ("adjustments.category.tax_category", "unknown_category"),
        ("adjustments.norate.tax_rate", "required"),
        ("adjustments.o_rate.tax_rate", "rate_not_allowed"),
        ("adjustments.toobig.amount", "discount_exceeds_base"),
        ("adjustments.over.percent", "out_of_range"),
        ("adjustments.precise.amount", "too_precise"),
        ("adjustments.silent.reason", "reason_required"),
        ("adjustments.code.reason_code", "unknown_reason_code"),
    } <= codes
    assert not any(path.startswith("adjustments.uncounted.") for path, _ in codes)
    totals = server["totals"]
    # Counted, as a line would: "o_rate" (its rate reported, an allowance of 1.00 in group O);
    # reported only: "silent" (an allowance of 1.00 at S 20) and "code" (a charge of 2.00).
    assert [a["id"] for a in totals["adjustments"]] == ["o_rate", "silent", "code"]
    assert (totals["allowances"], totals["charges"], totals["net"]) == ("2.00", "2.00", "100.00")
    assert totals["lines"][0]["adjustments"] == []
