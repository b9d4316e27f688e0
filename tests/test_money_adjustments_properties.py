"""Allowances and charges on random drafts (hypothesis): each document row moves its own VAT
group's base by its amount, the figures as printed add up (BR-CO-13, BR-CO-15), and the order
of the rows changes nothing but their order. The shorthands are tests/test_money_adjustments.py's.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collab.invoice.validation import evaluate
from tests.test_money_adjustments import allowance, charge, doc, row, totals_of

RATES = ("20", "10", "5.5", "0")
amounts = st.integers(min_value=0, max_value=99_999).map(lambda c: f"{c // 100}.{c % 100:02d}")


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any]:
    lines = [
        row(
            f"l{i}",
            str(draw(st.integers(min_value=-5, max_value=20))),
            draw(amounts),
            draw(st.sampled_from(RATES)),
        )
        for i in range(draw(st.integers(min_value=1, max_value=5)))
    ]
    adjustments = []
    for i in range(draw(st.integers(min_value=0, max_value=6))):
        maker = draw(st.sampled_from([allowance, charge]))
        value = (
            {"amount": draw(amounts)}
            if draw(st.booleans())
            else {"percent": str(draw(st.integers(min_value=0, max_value=100)))}
        )
        adjustments.append(maker(f"d{i}", tax_rate=draw(st.sampled_from(RATES)), **value))
    return doc(lines, adjustments)


@settings(max_examples=150, deadline=None)
@given(drafts())
def test_each_document_adjustment_moves_its_group_by_its_amount(document: dict[str, Any]) -> None:
    result = evaluate(document)
    assert result.totals is not None and result.complete
    totals = result.totals
    expected: dict[tuple[str, Decimal], Decimal] = {}
    for line, rate_row in zip(totals["lines"], document["lines"], strict=True):
        key = ("S", Decimal(rate_row["tax_rate"]))
        expected[key] = expected.get(key, Decimal(0)) + Decimal(line["net"])
    for adjustment in totals["adjustments"]:
        key = ("S", Decimal(str(adjustment["rate"])))
        amount = Decimal(adjustment["amount"])
        expected[key] = expected.get(key, Decimal(0)) + (
            amount if adjustment["charge"] else -amount
        )
    found_bases = {
        (g["category"], Decimal(g["rate"])): Decimal(g["base"]) for g in totals["tax_breakdown"]
    }
    assert found_bases == expected
    # BR-CO-13 and BR-CO-15, on the figures as printed.
    net = Decimal(totals["line_total"]) - Decimal(totals["allowances"]) + Decimal(totals["charges"])
    assert Decimal(totals["net"]) == net == sum(found_bases.values(), Decimal(0))
    assert Decimal(totals["gross"]) == net + Decimal(totals["tax"])


@settings(max_examples=60, deadline=None)
@given(drafts(), st.randoms(use_true_random=False))
def test_the_order_of_the_rows_changes_nothing_but_their_order(
    document: dict[str, Any], shuffle: random.Random
) -> None:
    before = totals_of(document)
    rows = list(document["adjustments"])
    shuffle.shuffle(rows)
    after = totals_of({**document, "adjustments": rows})
    by_id = {a["id"]: a for a in before["adjustments"]}
    assert [by_id[a["id"]] for a in after["adjustments"]] == after["adjustments"]
    before.pop("adjustments"), after.pop("adjustments")
    assert before == after
