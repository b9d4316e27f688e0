"""The credit-note rules of collab/invoice/credit.py: what a credit note is pre-filled with, and
whether its amount fits in what remains. Hand-worked examples, and properties over random
originals."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.credit import UnknownLines, credit_note_content, credit_room, remaining

ORIGINAL: dict[str, Any] = {
    "invoice": {
        "customer": {"name": "Client SA", "address": {"country": "FR"}},
        "currency": "EUR",
        "payment_terms": "Net 30",
        "buyer_reference": "PO-7",
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "notes": "Thank you",
        "discount": {"kind": "amount", "value": "10.00"},
    },
    "lines": [
        {"id": "a", "description": "Audit", "quantity": "3", "unit_price": "45.00"},
        {"id": "b", "description": "Travel", "quantity": "1", "unit_price": "80.00"},
    ],
}


def _ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"n{next(counter)}"


def test_the_whole_invoice_keeps_its_discount_and_drops_its_dates_and_notes() -> None:
    draft = credit_note_content(ORIGINAL, line_ids=None, new_id=_ids())
    header = draft.content["invoice"]
    assert header == {
        "customer": {"name": "Client SA", "address": {"country": "FR"}},
        "currency": "EUR",
        "payment_terms": "Net 30",
        "buyer_reference": "PO-7",
        "discount": {"kind": "amount", "value": "10.00"},
    }
    assert [line["id"] for line in draft.content["lines"]] == ["n1", "n2"]
    assert draft.content["lines"][1] == {
        "id": "n2",
        "description": "Travel",
        "quantity": "1",
        "unit_price": "80.00",
    }
    assert not draft.dropped_discount


def test_chosen_lines_drop_an_amount_discount_and_keep_a_percent_one() -> None:
    draft = credit_note_content(ORIGINAL, line_ids=["b"], new_id=_ids())
    assert [line["description"] for line in draft.content["lines"]] == ["Travel"]
    assert "discount" not in draft.content["invoice"] and draft.dropped_discount
    five_percent = {"kind": "percent", "value": "5"}
    percent = {**ORIGINAL, "invoice": {**ORIGINAL["invoice"], "discount": five_percent}}
    draft = credit_note_content(percent, line_ids=["b"], new_id=_ids())
    assert draft.content["invoice"]["discount"] == {"kind": "percent", "value": "5"}
    # Choosing every line is the whole invoice: the amount discount follows.
    draft = credit_note_content(ORIGINAL, line_ids=["b", "a"], new_id=_ids())
    assert [line["description"] for line in draft.content["lines"]] == ["Audit", "Travel"]
    assert draft.content["invoice"]["discount"]["kind"] == "amount"


def test_unknown_lines_are_named() -> None:
    with pytest.raises(UnknownLines) as raised:
        credit_note_content(ORIGINAL, line_ids=["a", "zz", "yy", "zz"], new_id=_ids())
    assert raised.value.ids == ("zz", "yy")


def test_the_room_left_to_credit() -> None:
    # 162.00 invoiced, 100.00 and 40.50 credited: 21.50 left.
    left = remaining(Decimal("162.00"), [Decimal("100.00"), Decimal("40.50")])
    assert left == Decimal("21.50")
    assert credit_room(Decimal("21.50"), left) is None
    assert "exceeds" in (credit_room(Decimal("21.51"), left) or "")
    assert "positive" in (credit_room(Decimal("0.00"), left) or "")
    assert "not known" in (credit_room(None, left) or "")


line_ids = st.lists(st.text("abcdef", min_size=1, max_size=3), min_size=1, max_size=8, unique=True)


@given(line_ids, st.data())
def test_chosen_lines_are_copied_whole_in_the_originals_order(ids: list[str], data: Any) -> None:
    original = {"invoice": {}, "lines": [{"id": i, "quantity": i, "unit_price": "1"} for i in ids]}
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    draft = credit_note_content(original, line_ids=chosen, new_id=_ids())
    kept = [line["quantity"] for line in draft.content["lines"]]
    assert kept == [i for i in ids if i in chosen]
    assert len({line["id"] for line in draft.content["lines"]}) == len(kept)


def test_allowances_and_charges_follow_their_lines_and_percents_follow_chosen_lines() -> None:
    original = {
        **ORIGINAL,
        "adjustments": [
            {"id": "la", "line": "a", "type": "allowance", "percent": "10", "reason": "Loyal"},
            {"id": "lb", "line": "b", "type": "charge", "amount": "5.00", "reason": "Tolls"},
            {"id": "dp", "type": "allowance", "percent": "2", "tax_rate": "20", "reason": "Early"},
            {"id": "da", "type": "charge", "amount": "9.00", "tax_rate": "20", "reason": "Ship"},
            {"id": "db", "type": "allowance", "percent": "3", "base": "50", "tax_rate": "20"},
        ],
    }
    whole = credit_note_content(original, line_ids=None, new_id=_ids())
    rows = whole.content["adjustments"]
    assert [row["reason"] for row in rows[:4]] == ["Loyal", "Tolls", "Early", "Ship"]
    # Line ids are renamed with their lines (a -> n1, b -> n2); every row gets a fresh id.
    assert [row.get("line") for row in rows] == ["n1", "n2", None, None, None]
    assert len({row["id"] for row in rows} | {"n1", "n2"}) == 7
    assert not whole.dropped_discount
    chosen = credit_note_content(original, line_ids=["b"], new_id=_ids())
    # Line b's charge follows it; the 2 % of the group's lines applies to b alike; the amount
    # charge and the percent of a stated base cannot be split: dropped, and said.
    assert [row["reason"] for row in chosen.content["adjustments"]] == ["Tolls", "Early"]
    assert chosen.content["adjustments"][0]["line"] == chosen.content["lines"][0]["id"]
    assert chosen.dropped_discount
