"""Which updates only type (collab/sync/contents.py): the inspection leaves their text deltas
unread, so anything but a string or a deleted range must send it down the full path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, merge_updates

from collab.sync.contents import only_typing
from collab.sync.protocol import write_var_uint
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


def test_an_update_of_many_structs_takes_the_full_path() -> None:
    """A hostile frame of a megabyte of string structs is not walked in Python: past 256
    groups and structs the update is not read as typing (its deltas are read instead)."""

    def structs(count: int) -> bytes:
        # One group of `count` strings "x" by client 1, each after the previous one (origin).
        out = bytearray([1])
        write_var_uint(out, count)
        out += bytes([1, 0, 0x04, 1, 1, ord("t"), 1, ord("x")])
        for clock in range(count - 1):
            out += bytes([0x84, 1])
            write_var_uint(out, clock)
            out += bytes([1, ord("x")])
        return bytes(out + b"\x00")

    assert only_typing(structs(255))
    assert not only_typing(structs(256))
    doc: Doc[Any] = Doc()
    doc.apply_update(structs(300))  # the bytes are a real update
    assert str(doc.get("t", type=Text)) == "x" * 300


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


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_read_without_error(data: bytes) -> None:
    assert only_typing(data) in (True, False)


def _boundary(encoded: bytes, place: int) -> int:
    """The first character boundary at or after `place` (pycrdt's offsets are UTF-8 bytes)."""
    while place < len(encoded) and encoded[place] & 0xC0 == 0x80:
        place += 1
    return place


_TYPING = st.lists(
    st.tuples(st.booleans(), st.integers(0, 40), st.text(min_size=1, max_size=6)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(_TYPING, st.booleans())
def test_typing_in_one_transaction_is_typing_and_a_field_set_with_it_is_not(
    edits: list[tuple[bool, int, str]], with_a_set: bool
) -> None:
    """Random insertions and deletions in the notes and a description, in one transaction
    (a paste, an autocorrection); the same with a field set is not typing."""

    def change(doc: Doc[Any]) -> None:
        for in_notes, at, text in edits:
            target = _notes(doc) if in_notes else lines(doc)[0]["description"]
            encoded = str(target).encode()
            place = _boundary(encoded, min(at, len(encoded)))
            if at % 3 == 0 and place < len(encoded):
                del target[place : _boundary(encoded, place + 1)]
            else:
                target.insert(place, text)
        if with_a_set:
            header(doc)["due_date"] = "2027-03-31"

    assert only_typing(Setup().edit(change)) is not with_a_set
