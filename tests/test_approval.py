"""The approval content hash (any change voids an approval; key order does not matter) and what
a submit needs (collab/invoice/approval.py)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.approval import content_hash, missing_customer, readiness
from collab.invoice.validation import evaluate

DOCUMENT: dict[str, Any] = {
    "invoice": {
        "customer": {
            "name": "Acme SAS",
            "email": "billing@acme.example",
            "address": {
                "line1": "1 rue de la Paix",
                "line2": "",
                "postcode": "75002",
                "city": "Paris",
                "country": "FR",
            },
            "vat_id": "FR40303265045",
            "siren": "303265045",
        },
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "currency": "EUR",
        "payment_terms": "30 days",
        "buyer_reference": "PO-1",
        "notes": "Thank you",
        "discount": {"kind": "percent", "value": "5"},
    },
    "lines": [
        {"id": "a", "description": "Design", "quantity": "3", "unit": "C62",
         "unit_price": "45.00", "tax_rate": "20", "tax_category": "S",
         "discount": {"kind": "amount", "value": "10.00"}},
        {"id": "b", "description": "Build", "quantity": "1", "unit": "HUR",
         "unit_price": "80.00", "tax_rate": "20"},
    ],
}  # fmt: skip


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _leaves(item, (*path, i))]
    return [path]


def _changed(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(document, list):
        return [_changed(v, tuple(rest), new) if i == head else v for i, v in enumerate(document)]
    return {k: _changed(v, tuple(rest), new) if k == head else v for k, v in document.items()}


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def test_the_hash_is_hex_sha256_and_stable() -> None:
    digest = content_hash(DOCUMENT)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(DOCUMENT) == digest


def test_every_field_change_changes_the_hash() -> None:
    original = content_hash(DOCUMENT)
    leaves = _leaves(DOCUMENT)
    assert len(leaves) > 25
    hashes = {original}
    for path in leaves:
        for new in ("x", None):
            old = _at(DOCUMENT, path)
            changed = content_hash(_changed(DOCUMENT, path, f"{old}x" if new else new))
            assert changed not in hashes, path
            hashes.add(changed)


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


def test_added_removed_and_reordered_content_changes_the_hash() -> None:
    original = content_hash(DOCUMENT)
    lines = DOCUMENT["lines"]
    variants = [
        {**DOCUMENT, "lines": lines[::-1]},  # line order is content
        {**DOCUMENT, "lines": lines[:1]},
        {**DOCUMENT, "lines": [*lines, {"id": "c"}]},
        {**DOCUMENT, "invoice": {**DOCUMENT["invoice"], "extra": ""}},
        {**DOCUMENT, "invoice": {k: v for k, v in DOCUMENT["invoice"].items() if k != "notes"}},
        # Equal money, different document: the approver approved what they read.
        _changed(DOCUMENT, ("lines", 0, "unit_price"), "45.0"),
    ]
    hashes = {content_hash(v) for v in variants}
    assert len(hashes) == len(variants) and original not in hashes


@given(st.randoms(use_true_random=False))
def test_key_order_does_not_change_the_hash(rng: random.Random) -> None:
    assert content_hash(_shuffled(DOCUMENT, rng)) == content_hash(DOCUMENT)


def test_only_the_content_roots_count_and_absent_equals_empty() -> None:
    assert content_hash({}) == content_hash({"invoice": {}, "lines": []})
    assert content_hash(DOCUMENT) == content_hash({**DOCUMENT, "adjustments": []})
    charge = {"id": "c1", "type": "charge", "amount": "5", "reason": "Freight"}
    with_charge = content_hash({**DOCUMENT, "adjustments": [charge]})
    assert with_charge != content_hash(DOCUMENT)
    assert with_charge != content_hash({**DOCUMENT, "adjustments": [{**charge, "amount": "5.0"}]})
    assert content_hash({**DOCUMENT, "elsewhere": {"x": 1}}) == content_hash(DOCUMENT)


def test_a_value_json_cannot_carry_exactly_is_a_bug() -> None:
    with pytest.raises(TypeError):
        content_hash({"lines": [{"id": "a", "quantity": Decimal("1")}]})
    with pytest.raises(ValueError):
        content_hash({"lines": [{"id": "a", "quantity": float("nan")}]})


# -- what a submit needs -------------------------------------------------------------------


def test_a_complete_invoice_is_ready() -> None:
    ready = readiness(DOCUMENT)
    assert ready.ready and ready.blocking == () and ready.missing_customer == ()


def test_blocking_issues_and_an_empty_invoice() -> None:
    broken = _changed(DOCUMENT, ("lines", 1, "quantity"), "12.")
    assert readiness(broken).blocking == ("lines.b.quantity",)
    assert readiness({**DOCUMENT, "lines": []}).blocking == ("lines",)
    # An evaluation the caller already has is used as is.
    assert readiness(DOCUMENT, evaluate(broken)).blocking == ("lines.b.quantity",)


def test_missing_customer_fields() -> None:
    assert missing_customer({}) == (
        "invoice.customer.name",
        "invoice.customer.address.line1",
        "invoice.customer.address.postcode",
        "invoice.customer.address.city",
        "invoice.customer.address.country",
    )
    blank = _changed(DOCUMENT, ("invoice", "customer", "address", "city"), "  ")
    assert missing_customer(blank) == ("invoice.customer.address.city",)
    assert not readiness(blank).ready
    # Optional customer fields may stay empty.
    no_email = _changed(DOCUMENT, ("invoice", "customer", "email"), "")
    assert missing_customer(no_email) == ()
