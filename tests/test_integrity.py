"""`fully_integrated`, the check that keeps the log loadable, on deletions: an update that deletes
items the document has not seen leaves them pending in Yrs and must be refused; the same update
once the items arrived is fine, whatever other writers the state vector lists. `Integrity`, the
same check kept across a document's updates, answers as it does on any stream of them."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, TransactionEvent

from collab.sync.integrity import Integrity, fully_integrated


def _edit(doc: Doc[Any], change: Any) -> bytes:
    before = doc.get_state()
    change(doc.get("lines", type=Array))
    return doc.get_update(before)


def _server(writers: int) -> Doc[Any]:
    """A document that already holds one line from each of `writers` other clients."""
    server: Doc[Any] = Doc(client_id=1)
    for n in range(writers):
        other: Doc[Any] = Doc(client_id=1000 + n)
        other.apply_update(server.get_update())
        server.apply_update(_edit(other, lambda lines, n=n: lines.append(f"w{n}")))
    return server


def test_a_deletion_of_unseen_items_is_pending_and_accepted_once_they_arrived() -> None:
    for writers in (0, 1, 40):
        server = _server(writers)
        author: Doc[Any] = Doc(client_id=500)
        author.apply_update(server.get_update())
        added = _edit(author, lambda lines: lines.extend(["a", "b"]))
        removed = _edit(author, lambda lines: lines.pop())
        server.apply_update(removed)  # "b" is unknown here: the deletion stays pending
        assert not fully_integrated(removed, server.get_state()), writers
        server.apply_update(added)
        server.apply_update(removed)
        assert fully_integrated(removed, server.get_state()), writers
        assert fully_integrated(added, server.get_state()), writers


def test_one_unseen_client_among_seen_ones_is_enough_to_refuse() -> None:
    server = _server(3)
    seen: Doc[Any] = Doc(client_id=600)
    seen.apply_update(server.get_update())
    server.apply_update(_edit(seen, lambda lines: lines.append("seen")))
    unseen: Doc[Any] = Doc(client_id=700)
    unseen.apply_update(server.get_update())
    hidden = _edit(unseen, lambda lines: lines.append("hidden"))  # never sent to the server
    # A third client that saw both deletes one line of each, in one update.
    both: Doc[Any] = Doc(client_id=800)
    both.apply_update(server.get_update())
    both.apply_update(hidden)
    removal = _edit(both, lambda lines: (lines.pop(), lines.pop()))
    server.apply_update(removal)
    assert not fully_integrated(removal, server.get_state())
    server.apply_update(hidden)
    server.apply_update(removal)
    assert fully_integrated(removal, server.get_state())


def test_the_kept_record_knows_no_more_than_the_updates_it_checked() -> None:
    # A writer's first line reaches the server; its second does not; then it deletes the
    # second. The record knows the writer's first item (clock 0) is held, so the deletion of
    # clock 1 must still be checked against the state vector, which lacks it: pending.
    server: Doc[Any] = Doc(client_id=1)
    writer: Doc[Any] = Doc(client_id=3_000_000_000)
    kept = Integrity()
    first = _edit(writer, lambda lines: lines.append("a"))
    server.apply_update(first)
    assert kept.check(first, server.get_state())
    _edit(writer, lambda lines: lines.append("b"))  # never sent
    removal = _edit(writer, lambda lines: lines.pop())
    server.apply_update(removal)
    assert not kept.check(removal, server.get_state())
    # Deleting the line that did arrive is known to be fine without reading the state vector.
    server, writer, kept = Doc(client_id=1), Doc(client_id=3_000_000_001), Integrity()
    first = _edit(writer, lambda lines: lines.append("a"))
    server.apply_update(first)
    assert kept.check(first, server.get_state())
    removal = _edit(writer, lambda lines: lines.pop())
    server.apply_update(removal)
    assert kept.check(removal, server.get_state())


def _writers(count: int, seed: int) -> tuple[Doc[Any], list[tuple[Doc[Any], list[bytes]]]]:
    """A server document and `count` writers with random 32-bit client ids (five-byte
    var-uints, as browsers pick them), each recording the updates it makes."""
    rng = random.Random(seed)
    server: Doc[Any] = Doc(client_id=1)
    server.get("lines", type=Array).extend([f"seed {n}" for n in range(3)])
    writers = []
    for _ in range(count):
        writer: Doc[Any] = Doc(client_id=rng.randrange(2, 2**32))
        writer.apply_update(server.get_update())
        made: list[bytes] = []

        def record(event: TransactionEvent, made: list[bytes] = made) -> None:
            made.append(event.update)

        writer.observe(record)
        writers.append((writer, made))
    return server, writers


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(0, 2**16),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans()), max_size=40),
)
def test_the_kept_check_answers_as_a_fresh_one_on_any_stream(
    count: int, seed: int, steps: list[tuple[int, int, bool]]
) -> None:
    # Writers edit a list and a map, hearing of each other through the server only; each
    # step's update reaches the server at once or is held back (then deletions of its items,
    # and later updates of its writer, are pending there). The kept check must say what a
    # check reading the whole state vector says, update after update; a refused update is
    # dropped, as the inspector drops its shadow, with the record.
    server, writers = _writers(count, seed)
    kept = Integrity()
    for who, action, delivered in steps:
        writer, made = writers[who % count]
        writer.apply_update(server.get_update())
        lines, fields = writer.get("lines", type=Array), writer.get("header", type=Map)
        if action == 0:
            lines.append(f"line {len(made)}")
        elif action == 1 and len(lines):
            del lines[-1]  # often the line it just added, which the server may not have
        elif action == 2 and len(lines):
            del lines[len(lines) // 2]
        elif action == 3:
            fields[f"f{len(made) % 3}"] = f"v{len(made)}"
        elif "f0" in fields:
            del fields["f0"]
        if not made or not delivered:
            continue
        update = made[-1]
        before = server.get_update()
        server.apply_update(update)
        state = server.get_state()
        exact = fully_integrated(update, state)
        assert kept.check(update, state) == exact
        if not exact:
            server = Doc(client_id=1)
            server.apply_update(before)
            kept = Integrity()
