"""Which updates only type (collab/sync/contents.py): the inspection leaves their text deltas
unread, so anything but a string or a deleted range must send it down the full path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text, merge_updates

from collab.sync.contents import only_typing
from tests.test_inspect import Setup, header, lines

# By hand from Yjs' encoding (v1): 1 client group of 1 struct, client 1 from clock 0; info
# 0x04 (a string, no origins: the parent follows), parent a root named "t", content "hi";
# then an empty delete set.
HAND_BUILT = bytes([1, 1, 1, 0, 0x04, 1, 1, ord("t"), 2, ord("h"), ord("i"), 0])


def test_a_hand_built_string_insert_is_typing_and_reads_as_yrs_reads_it() -> None:
    doc: Doc[Any] = Doc()
    doc.apply_update(HAND_BUILT)
    assert str(doc.get("t", type=Text)) == "hi"  # the bytes are a real update
    assert only_typing(HAND_BUILT)


@pytest.mark.parametrize(
    "bad",
    [
        HAND_BUILT[:-4],  # cut inside the string
        HAND_BUILT[:5],  # cut after the info byte
        bytes([1, 1, 1, 0, 0x08]),  # an Any content (a map's value), cut
        b"",
    ],
)
def test_what_does_not_read_as_typing_is_not(bad: bytes) -> None:
    assert not only_typing(bad)


def _notes(doc: Doc[Any]) -> Text:
    notes: Text = header(doc)["notes"]
    return notes


@pytest.mark.parametrize(
    ("change", "typing"),
    [
        (lambda d: _notes(d).insert(3, "abc"), True),  # with origins
        (lambda d: _notes(d).insert(0, "😀 é"), True),
        (lambda d: _notes(d).__delitem__(slice(0, 5)), True),  # a delete set, no struct
        (lambda d: lines(d)[1]["description"].insert(0, "x"), True),
        (lambda d: header(d).__setitem__("due_date", "2027-01-31"), False),  # an Any
        (lambda d: lines(d).append(Map({"id": "n1"})), False),  # a type
        (lambda d: _notes(d).insert_embed(2, {"image": "x"}), False),  # an embed
        (lambda d: _notes(d).format(0, 3, {"bold": True}), False),  # formats
        (lambda d: _notes(d).insert(0, "bold", {"bold": True}), False),
        (lambda d: lines(d)[0].__setitem__("description", Text("new")), False),
    ],
)
def test_only_strings_and_deletions_are_typing(
    change: Callable[[Doc[Any]], None], typing: bool
) -> None:
    assert only_typing(Setup().edit(change)) is typing


def test_a_merge_of_several_writers_typing_is_typing() -> None:
    setup = Setup()
    other: Doc[Any] = Doc()
    other.apply_update(setup.client.get_update())
    first = setup.edit(lambda d: _notes(d).insert(0, "a"))
    before = other.get_state()
    _notes(other).insert(0, "b")
    second = other.get_update(before)
    assert only_typing(merge_updates(first, second))
    header(other)["due_date"] = "2027-02-01"
    assert not only_typing(merge_updates(first, other.get_update(before)))


def test_typing_is_inspected_without_undo_steps_until_refused() -> None:
    """The fast path is taken for typing and not for a field set; a refusal still undoes the
    typing exactly, and the shadow goes on inspecting."""
    setup = Setup()
    before = str(_notes(setup.live))
    typed = setup.inspector.inspect(setup.edit(lambda d: _notes(d).insert(0, "SECRET ")))
    assert typed.partial and typed.problems == [] and typed.paths() == {"invoice.notes"}
    compensation = setup.inspector.compensate()
    setup.live.apply_update(compensation)
    setup.client.apply_update(compensation)
    assert str(_notes(setup.live)) == before == str(_notes(setup.client))
    set_field = setup.inspector.inspect(
        setup.edit(lambda d: header(d).__setitem__("due_date", "2027-01-31"))
    )
    assert not set_field.partial and set_field.problems == []


def test_an_embed_in_a_text_is_refused() -> None:
    setup = Setup()
    inspection = setup.inspector.inspect(
        setup.edit(lambda d: _notes(d).insert_embed(2, Array([1])))
    )
    assert "invoice.notes holds plain text only" in inspection.problems
