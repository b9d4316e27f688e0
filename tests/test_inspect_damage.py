"""Update inspection finding structural damage: an unknown document root, or the header, the
lines or the allowances and charges used as another type; and what is not damage: a set that
loses to a concurrent one, after which misuse is still caught. The live document is
tests/test_inspect.py's `Setup`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from collab.sync.inspect import ChangeKind, FieldChange
from tests.test_inspect import Setup, header, lines


@pytest.mark.parametrize(
    ("change", "damage"),
    [
        (lambda d: d.get("evil", type=Map).__setitem__("x", "1"), "unknown document root 'evil'"),
        (
            lambda d: d.get("lines", type=Map).__setitem__("x", "1"),
            "the lines were used as another type",
        ),
        (
            lambda d: d.get("invoice", type=Array).append(["x"]),
            "the invoice header was used as another type",
        ),
    ],
)
def test_structural_damage_is_detected(change: Callable[[Doc[Any]], None], damage: str) -> None:
    setup = Setup()
    client: Doc[Any] = Doc()
    client.apply_update(setup.live.get_update())
    captured: list[bytes] = []
    client.observe(lambda event: captured.append(event.update))
    change(client)
    inspection = setup.inspector.inspect(captured[0])
    assert inspection.damage == damage
    setup.inspector.reset()
    assert (
        setup.inspector.inspect(
            setup.edit(lambda d: header(d).__setitem__("currency", "EUR"))
        ).damage
        is None
    )


def _concurrent_set(setup: Setup, key: str, values: tuple[str, str]) -> tuple[bytes, bytes]:
    """Two people set one header field at once: two updates, neither built on the other."""
    made = []
    for value in values:
        client: Doc[Any] = Doc()
        client.apply_update(setup.live.get_update())
        state = client.get_state()
        header(client)[key] = value
        made.append(client.get_update(state))
    return made[0], made[1]


def test_a_set_that_loses_to_a_concurrent_one_is_not_damage_and_misuse_is_still_caught() -> None:
    setup = Setup()
    for round_ in range(3):
        # Whichever order they arrive in, one of the two sets loses (Yjs orders them by client
        # id): the losing one is a root event with no readable change, accepted as harmless.
        for update in _concurrent_set(setup, "payment_terms", (f"A{round_}", f"B{round_}")):
            inspection = setup.inspector.inspect(update)
            assert inspection.damage is None and inspection.problems == []
            setup.live.apply_update(update)
            setup.inspector.accept()
        assert header(setup.live)["payment_terms"] in (f"A{round_}", f"B{round_}")
    # Those checks read each root as the other type: the shadow's own views and events are
    # unchanged by it, so ordinary edits still name their fields...
    setup.client.apply_update(setup.live.get_update())
    for change, expected in (
        (lambda d: lines(d)[1].__setitem__("unit_price", "3"), "lines.l1.unit_price"),
        (lambda d: header(d).__setitem__("due_date", "2027-05-01"), "invoice.due_date"),
    ):
        update = setup.edit(change)
        inspection = setup.inspector.inspect(update)
        assert inspection.changes == [FieldChange(expected, ChangeKind.SET)]
        setup.live.apply_update(update)
        setup.inspector.accept()
    # ...and misuse written afterwards, on top of the later history, is found.
    client: Doc[Any] = Doc()
    client.apply_update(setup.live.get_update())
    state = client.get_state()
    client.get("lines", type=Map)["x"] = "1"
    damage = setup.inspector.inspect(client.get_update(state)).damage
    assert damage == "the lines were used as another type"


def test_adjustments_used_as_another_type_are_damage() -> None:
    setup = Setup()
    client: Doc[Any] = Doc()
    client.apply_update(setup.live.get_update())
    captured: list[bytes] = []
    client.observe(lambda event: captured.append(event.update))
    client.get("adjustments", type=Map)["x"] = "1"
    assert (
        setup.inspector.inspect(captured[0]).damage == "the adjustments were used as another type"
    )


def test_misuse_after_a_compensation_is_still_caught() -> None:
    setup = Setup()
    # Two people overwrite a field at once; the set of the lower client id loses, and arriving
    # second it is a root event without a readable change, which checks the roots.
    sets = []
    for client_id, value in ((2, "2027-03-01"), (1, "2027-04-01")):
        person: Doc[Any] = Doc(client_id=client_id)
        person.apply_update(setup.live.get_update())
        state = person.get_state()
        header(person)["due_date"] = value
        sets.append(person.get_update(state))
    for update in sets:
        assert setup.inspector.inspect(update).damage is None
        setup.live.apply_update(update)
        setup.inspector.accept()
    setup.client.apply_update(setup.live.get_update())
    # A refused edit: the compensation restores the old value as an item of the server's own.
    setup.inspector.inspect(setup.edit(lambda d: header(d).__setitem__("due_date", "2027-01-01")))
    compensation = setup.inspector.compensate()
    setup.live.apply_update(compensation)
    setup.client.apply_update(compensation)
    # The sender edits on top of that item, then writes to the lines as a map.
    again = setup.edit(lambda d: header(d).__setitem__("due_date", "2027-02-01"))
    assert setup.inspector.inspect(again).damage is None
    setup.live.apply_update(again)
    setup.inspector.accept()
    misuse = setup.edit(lambda d: d.get("lines", type=Map).__setitem__("x", "1"))
    assert setup.inspector.inspect(misuse).damage == "the lines were used as another type"
