"""A cold load's replay (collab/sync/store.py) calls pycrdt's binding directly, once per log
entry: the document it gives must be the one pycrdt's public `Doc.apply_update` gives, update
by update, for any log, entries out of causal order included."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from collab.sync import StoredDocument

EDIT = st.sampled_from(["set", "insert", "delete", "type", "erase"])


def _log(edits: list[tuple[int, str, int]]) -> list[bytes]:
    """The updates three editors make, in the order they make them; an editor sees the others'
    edits only at every third edit, so many are concurrent."""
    docs: list[Doc[Any]] = [Doc() for _ in range(3)]
    updates: list[bytes] = []
    for step, (who, kind, value) in enumerate(edits):
        doc = docs[who]
        header, lines, notes = (doc.get(n, type=t) for n, t in _ROOTS)
        before = doc.get_state()
        if kind == "set":
            header[f"field{value % 4}"] = f"value {value}"
        elif kind == "insert":
            lines.insert(value % (len(lines) + 1), Map({"id": f"line{value}", "q": str(value)}))
        elif kind == "delete" and len(lines):
            del lines[value % len(lines)]
        elif kind == "type":
            notes.insert(value % (len(notes) + 1), "abx"[value % 3])
        elif kind == "erase" and len(notes):
            del notes[value % len(notes)]
        if doc.get_state() != before:
            updates.append(doc.get_update(before))
        if step % 3 == 2:
            for other in docs:
                for update in updates:
                    other.apply_update(update)
    return updates


_ROOTS = (("invoice", Map), ("lines", Array), ("notes", Text))


def _content(doc: Doc[Any]) -> dict[str, Any]:
    return {name: doc.get(name, type=kind).to_py() for name, kind in _ROOTS}


def _clocks(doc: Doc[Any]) -> dict[int, int]:
    """The state vector, client -> clock (its encoding's order is a hash map's)."""
    numbers, number, shift = [], 0, 0
    for byte in doc.get_state():  # lib0 var-uints: 7 bits a byte, low first
        number |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            numbers.append(number)
            number, shift = 0, 0
    count, pairs = numbers[0], numbers[1:]
    assert len(pairs) == 2 * count
    return dict(zip(pairs[0::2], pairs[1::2], strict=True))


@settings(max_examples=60, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(0, 2), EDIT, st.integers(0, 50)), max_size=40),
    split=st.integers(0, 40),
    shuffle=st.randoms(use_true_random=False),
    disorder=st.booleans(),
)
def test_the_replay_gives_what_pycrdt_gives_update_by_update(
    edits: list[tuple[int, str, int]], split: int, shuffle: random.Random, disorder: bool
) -> None:
    updates = _log(edits)
    split = min(split, len(updates))
    if disorder:  # entries whose dependencies come later wait, then integrate
        shuffle.shuffle(updates)
        # A stored log is in causal order (collab/sync/integrity.py refuses an update that
        # leaves anything pending): a snapshot of a document holding pending structs would
        # drop them, as `Doc.get_update` does, so a disordered log has none.
        split = 0
    snapshot_doc: Doc[Any] = Doc()
    for update in updates[:split]:
        snapshot_doc.apply_update(update)
    stored = StoredDocument(
        snapshot=snapshot_doc.get_update() if split else None,
        updates=updates[split:],
        last_seq=len(updates),
    )
    expected: Doc[Any] = Doc()
    for update in updates:
        expected.apply_update(update)

    replayed = stored.to_doc()

    assert stored.quarantined == []
    assert _content(replayed) == _content(expected)
    assert _clocks(replayed) == _clocks(expected)
    # Nothing left pending either: a new peer would receive the same document.
    fresh: Doc[Any] = Doc()
    fresh.apply_update(replayed.get_update())
    assert _content(fresh) == _content(expected)
