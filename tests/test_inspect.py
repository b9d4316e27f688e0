"""Update inspection: the paths an update changes, schema problems reported and compensated, and
ids unique in their collection, for the header and lines and for the allowances and charges.
The live document (`Setup`) and the shorthands here serve tests/test_inspect_damage.py and
tests/test_inspect_compensation.py too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.document import INVOICE_SHAPE, MAX_ADJUSTMENTS
from collab.sync.inspect import ChangeKind, FieldChange, UpdateInspector


class Setup:
    """A live document, its inspector, and a client copy that produces updates."""

    def __init__(self) -> None:
        self.live: Doc[Any] = Doc()
        seed: Doc[Any] = Doc()
        header = seed.get("invoice", type=Map)
        header["due_date"] = "2026-12-31"
        header["notes"] = Text("Thank you, Zoë 😀")
        header["customer"] = Map({"name": "Acme", "address": Map({"city": "Lyon"})})
        lines = seed.get("lines", type=Array)
        for i in range(3):
            lines.append(
                Map({"id": f"l{i}", "description": Text(f"Line {i} é"), "unit_price": "10"})
            )
        adjustments(seed).append(Map(FREIGHT))
        self.live.apply_update(seed.get_update())
        self.inspector = UpdateInspector(self.live, INVOICE_SHAPE)
        self.client: Doc[Any] = Doc()
        self.client.apply_update(self.live.get_update())

    def edit(self, change: Callable[[Doc[Any]], None]) -> bytes:
        captured: list[bytes] = []

        def capture(event: TransactionEvent) -> None:
            captured.append(event.update)

        subscription = self.client.observe(capture)
        with self.client.transaction():
            change(self.client)
        self.client.unobserve(subscription)
        assert len(captured) == 1
        return captured[0]


FREIGHT = {"id": "a0", "type": "charge", "amount": "5", "reason": "Freight"}


def content(doc: Doc[Any]) -> tuple[Any, Any, Any]:
    return (
        doc.get("invoice", type=Map).to_py(),
        doc.get("lines", type=Array).to_py(),
        doc.get("adjustments", type=Array).to_py(),
    )


def header(doc: Doc[Any]) -> Map[Any]:
    root: Map[Any] = doc.get("invoice", type=Map)
    return root


def lines(doc: Doc[Any]) -> Array[Any]:
    root: Array[Any] = doc.get("lines", type=Array)
    return root


def adjustments(doc: Doc[Any]) -> Array[Any]:
    root: Array[Any] = doc.get("adjustments", type=Array)
    return root


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: header(d).__setitem__("due_date", "2027-01-31"), [("invoice.due_date", "set")]),
        (lambda d: header(d).pop("due_date"), [("invoice.due_date", "delete")]),
        (
            lambda d: header(d)["customer"].__setitem__("name", "Beta"),
            [("invoice.customer.name", "set")],
        ),
        (
            lambda d: header(d)["customer"]["address"].__setitem__("city", "Paris"),
            [("invoice.customer.address.city", "set")],
        ),
        (lambda d: header(d)["notes"].insert(0, "Dear client. "), [("invoice.notes", "edit")]),
        (
            lambda d: lines(d)[1].__setitem__("unit_price", "12.50"),
            [("lines.l1.unit_price", "set")],
        ),
        (lambda d: lines(d)[2]["description"].insert(4, "!"), [("lines.l2.description", "edit")]),
        (lambda d: lines(d).append(Map({"id": "new", "quantity": "1"})), [("lines.new", "insert")]),
        (lambda d: lines(d).__delitem__(0), [("lines.l0", "delete")]),
    ],
)
def test_inspection_names_the_paths_an_update_changes(
    change: Callable[[Doc[Any]], None], expected: list[tuple[str, str]]
) -> None:
    setup = Setup()
    inspection = setup.inspector.inspect(setup.edit(change))
    assert inspection.damage is None and inspection.problems == []
    assert inspection.changes == [FieldChange(p, ChangeKind(k)) for p, k in expected]


@pytest.mark.parametrize(
    "change",
    [
        # Up to the limit: 8 + 4,992 = 5,000 characters ("Thank you, Zoë 😀" is 16, 9,984 more).
        lambda d: lines(d)[0]["description"].insert(6, "x" * 4992),
        lambda d: header(d)["notes"].insert(0, "y" * 9984),
        # Counted in characters, not in UTF-8 bytes: 4,992 two-byte letters.
        lambda d: lines(d)[0]["description"].insert(0, "é" * 4992),
    ],
)
def test_a_text_may_be_typed_up_to_its_length(change: Callable[[Doc[Any]], None]) -> None:
    setup = Setup()
    inspection = setup.inspector.inspect(setup.edit(change))
    assert inspection.damage is None and inspection.problems == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: header(d).__setitem__("colour", "red"), "unknown field 'colour'"),
        (lambda d: header(d).__setitem__("due_date", 12.5), "due_date must be a string, not float"),
        (lambda d: header(d).__setitem__("customer", "Acme"), "customer must be a map, not str"),
        (lambda d: lines(d).append(["not", "a", "map"]), "every line must be a map"),
        (
            lambda d: lines(d).append(Map({"quantity": "1"})),
            "every new line needs a non-empty string id",
        ),
        (
            lambda d: lines(d).append(Map({"id": "a.b"})),
            "line id 'a.b': at most 64 characters, without dots or spaces",
        ),
        (
            lambda d: lines(d).append(Map({"id": "a b"})),
            "line id 'a b': at most 64 characters, without dots or spaces",
        ),
        (lambda d: lines(d).append(Map({"id": "l1"})), "line id 'l1' is used twice"),
        (lambda d: lines(d)[0].__setitem__("id", "other"), "the id of line 'l0' cannot change"),
        (lambda d: lines(d)[0].__setitem__("price", "1"), "unknown field 'price'"),
        (
            lambda d: header(d).__setitem__("due_date", "x" * 11),
            "due_date longer than 10 characters",
        ),
        # Typing is held to a text's length too ("Line 0 é" is 8 characters; 5,000 at most).
        (
            lambda d: lines(d)[0]["description"].insert(6, "x" * 4993),
            "lines.l0.description longer than 5000 characters",
        ),
        (
            lambda d: header(d)["notes"].insert(0, "y" * 9985),
            "invoice.notes longer than 10000 characters",
        ),
    ],
)
def test_schema_problems_are_reported_and_compensated(
    change: Callable[[Doc[Any]], None], problem: str
) -> None:
    setup = Setup()
    before = content(setup.live)
    inspection = setup.inspector.inspect(setup.edit(change))
    assert inspection.damage is None
    assert problem in inspection.problems
    compensation = setup.inspector.compensate()
    setup.live.apply_update(compensation)
    setup.client.apply_update(compensation)
    assert content(setup.live) == before == content(setup.client)


def test_line_ids_stay_unique_across_accepted_updates() -> None:
    setup = Setup()

    def step(change: Callable[[Doc[Any]], None]) -> list[str]:
        update = setup.edit(change)
        problems = setup.inspector.inspect(update).problems
        if problems:
            compensation = setup.inspector.compensate()
            setup.live.apply_update(compensation)
            setup.client.apply_update(compensation)
        else:
            setup.live.apply_update(update)
            setup.inspector.accept()
        return problems

    assert step(lambda d: lines(d).append(Map({"id": "x"}))) == []
    assert step(lambda d: lines(d).append(Map({"id": "x"}))) == ["line id 'x' is used twice"]
    assert step(lambda d: lines(d).__delitem__(3)) == []  # x is gone
    assert step(lambda d: lines(d).append(Map({"id": "x"}))) == []  # so its id is free again
    assert content(setup.client) == content(setup.live)


# -- a second row collection: allowances and charges ----------------------------------------------


def _step(setup: Setup, change: Callable[[Doc[Any]], None]) -> list[str]:
    """Inspect one edit; apply it when accepted, compensate everyone when refused."""
    update = setup.edit(change)
    inspection = setup.inspector.inspect(update)
    assert inspection.damage is None
    if inspection.problems:
        compensation = setup.inspector.compensate()
        setup.live.apply_update(compensation)
        setup.client.apply_update(compensation)
    else:
        setup.live.apply_update(update)
        setup.inspector.accept()
    return inspection.problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: adjustments(d).append(Map({"id": "a1", "amount": "3", "reason": "Rebate"})),
            [("adjustments.a1", "insert")],
        ),
        (
            lambda d: adjustments(d)[0].__setitem__("amount", "7.50"),
            [("adjustments.a0.amount", "set")],
        ),
        (lambda d: adjustments(d)[0].pop("reason"), [("adjustments.a0.reason", "delete")]),
        (lambda d: adjustments(d).__delitem__(0), [("adjustments.a0", "delete")]),
        # Ids are unique per collection: a line and an allowance may share one.
        (lambda d: lines(d).append(Map({"id": "a0"})), [("lines.a0", "insert")]),
        (lambda d: adjustments(d).append(Map({"id": "l1"})), [("adjustments.l1", "insert")]),
    ],
)
def test_adjustment_changes_are_named_and_accepted(
    change: Callable[[Doc[Any]], None], expected: list[tuple[str, str]]
) -> None:
    setup = Setup()
    inspection = setup.inspector.inspect(setup.edit(change))
    assert inspection.damage is None and inspection.problems == []
    assert inspection.changes == [FieldChange(p, ChangeKind(k)) for p, k in expected]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: adjustments(d).append(Map({"id": "a1", "description": "x"})),
            "allowance or charge a1: unknown field 'description'",
        ),
        (lambda d: adjustments(d)[0].__setitem__("colour", "red"), "unknown field 'colour'"),
        (
            lambda d: adjustments(d).append(Map({"id": "a1", "amount": 5.0})),
            "allowance or charge a1: amount: must be a string, not float",
        ),
        (
            lambda d: adjustments(d)[0].__setitem__("percent", True),
            "percent must be a string, not bool",
        ),
        (
            lambda d: adjustments(d)[0].__setitem__("reason", "x" * 301),
            "reason longer than 300 characters",
        ),
        (
            lambda d: adjustments(d).append(Map({"id": "a1", "reason_code": "TOOLONG"})),
            "allowance or charge a1: reason_code: longer than 3 characters",
        ),
        (
            lambda d: adjustments(d).append(Map({"amount": "1"})),
            "every new allowance or charge needs a non-empty string id",
        ),
        (
            lambda d: adjustments(d).append(Map({"id": "a0"})),
            "allowance or charge id 'a0' is used twice",
        ),
        (
            lambda d: adjustments(d)[0].__setitem__("id", "a9"),
            "the id of allowance or charge 'a0' cannot change",
        ),
        (lambda d: adjustments(d).append("a row"), "every allowance or charge must be a map"),
    ],
)
def test_bad_adjustments_are_refused_and_compensated(
    change: Callable[[Doc[Any]], None], problem: str
) -> None:
    setup = Setup()
    before = content(setup.live)
    assert problem in _step(setup, change)
    assert content(setup.live) == before == content(setup.client)


def test_adjustments_are_bounded_and_their_ids_counted_on_their_own() -> None:
    setup = Setup()
    before = content(setup.live)

    def fill(count: int) -> Callable[[Doc[Any]], None]:
        return lambda d: adjustments(d).extend([Map({"id": f"x{i}"}) for i in range(count)])

    too_many = f"a document has at most {MAX_ADJUSTMENTS} allowances or charges"
    assert _step(setup, fill(MAX_ADJUSTMENTS)) == [too_many]  # with a0: one too many
    assert content(setup.live) == before == content(setup.client)
    assert _step(setup, fill(MAX_ADJUSTMENTS - 1)) == []
    # Line ids and adjustment ids live apart: the same id in the other collection is no clash.
    assert _step(setup, lambda d: lines(d).append(Map({"id": "x5"}))) == []
    assert _step(setup, lambda d: adjustments(d).append(Map({"id": "l0"}))) == [too_many]
    assert _step(setup, lambda d: adjustments(d).__delitem__(0)) == []  # a0 goes
    assert _step(setup, lambda d: adjustments(d).append(Map({"id": "x5"}))) == [
        "allowance or charge id 'x5' is used twice"
    ]
    assert _step(setup, lambda d: adjustments(d).append(Map({"id": "a0"}))) == []  # free again
    assert len(adjustments(setup.live)) == MAX_ADJUSTMENTS
    assert content(setup.client) == content(setup.live)
