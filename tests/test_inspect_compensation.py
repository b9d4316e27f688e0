"""Update inspection compensating a refused edit: the refused content never reaches anyone
else, the sender goes on editing on top of the compensated state, and any mix of edits to the
lines' texts and prices, the notes, the lines themselves and the due date is undone exactly for
everyone (a hypothesis property). The live document is tests/test_inspect.py's `Setup`."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from collab.invoice.document import INVOICE_SHAPE
from collab.sync.inspect import same_content
from tests.test_inspect import Setup, content, header, lines


def test_refused_content_never_reaches_anyone_else() -> None:
    setup = Setup()
    other: Doc[Any] = Doc()
    other.apply_update(setup.live.get_update())
    update = setup.edit(lambda d: lines(d)[0]["description"].insert(0, "TOP-SECRET "))
    setup.inspector.inspect(update)
    compensation = setup.inspector.compensate()
    assert b"TOP-SECRET" not in compensation
    setup.live.apply_update(compensation)
    other.apply_update(compensation)
    setup.client.apply_update(compensation)
    assert content(other) == content(setup.live) == content(setup.client)
    # The sender keeps editing on top of the compensated state, and everyone follows.
    follow_up = setup.edit(lambda d: lines(d)[0]["description"].insert(0, "OK "))
    assert setup.inspector.inspect(follow_up).problems == []
    setup.live.apply_update(follow_up)
    other.apply_update(follow_up)
    assert content(other) == content(setup.live) == content(setup.client)
    assert lines(other)[0]["description"].to_py() == "OK Line 0 é"


unicode_text = st.text(alphabet=st.sampled_from("abé€😀 \n"), max_size=6)


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, Any]]:
    return draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("text"), st.tuples(st.integers(0, 2), st.integers(0, 8), unicode_text)
                ),
                st.tuples(
                    st.just("cut"),
                    st.tuples(st.integers(0, 2), st.integers(0, 8), st.integers(1, 4)),
                ),
                st.tuples(
                    st.just("notes"), st.tuples(st.integers(0, 20), st.integers(0, 5), unicode_text)
                ),
                st.tuples(
                    st.just("price"), st.tuples(st.integers(0, 2), st.sampled_from(["1", "2.5"]))
                ),
                st.tuples(
                    st.just("add"),
                    st.tuples(st.integers(0, 3), st.text("xyz", min_size=1, max_size=3)),
                ),
                st.tuples(st.just("remove"), st.integers(0, 2)),
                st.tuples(st.just("due"), st.sampled_from(["2027-01-01", None])),
            ),
            min_size=1,
            max_size=6,
        )
    )


def _apply_edits(doc: Doc[Any], ops: list[tuple[str, Any]]) -> None:
    ls = lines(doc)
    for kind, arg in ops:
        if kind in ("text", "cut", "price") and arg[0] >= len(ls):
            continue
        if kind == "text":
            text = ls[arg[0]]["description"]
            size = len(str(text).encode())
            text.insert(_boundary(str(text), arg[1], size), arg[2])
        elif kind == "cut":
            text = ls[arg[0]]["description"]
            start = _boundary(str(text), arg[1], len(str(text).encode()))
            end = _boundary(str(text), start + arg[2], len(str(text).encode()))
            if end > start:
                del text[start:end]
        elif kind == "notes":
            notes = header(doc)["notes"]
            at = _boundary(str(notes), arg[0], len(str(notes).encode()))
            end = _boundary(str(notes), at + arg[1], len(str(notes).encode()))
            if end > at:
                del notes[at:end]
            notes.insert(at, arg[2])
        elif kind == "price":
            ls[arg[0]]["unit_price"] = arg[1]
        elif kind == "add":
            ls.insert(
                min(arg[0], len(ls)),
                Map({"id": f"n-{arg[1]}-{len(ls)}", "description": Text(arg[1])}),
            )
        elif kind == "remove" and arg < len(ls):
            del ls[arg]
        elif kind == "due":
            if arg is None:
                header(doc).pop("due_date", None)
            else:
                header(doc)["due_date"] = arg


def _boundary(text: str, offset: int, size: int) -> int:
    """The largest UTF-8 character boundary at or below `offset` (pycrdt offsets are bytes)."""
    offset = min(offset, size)
    encoded = text.encode()
    while offset > 0 and offset < len(encoded) and (encoded[offset] & 0xC0) == 0x80:
        offset -= 1
    return offset


@settings(max_examples=150, deadline=None)
@given(edits())
def test_any_refused_edit_is_undone_exactly_for_everyone(ops: list[tuple[str, Any]]) -> None:
    setup = Setup()
    before = content(setup.live)
    captured: list[bytes] = []
    setup.client.observe(lambda event: captured.append(event.update))
    with setup.client.transaction():
        _apply_edits(setup.client, ops)
    if not captured:
        return
    inspection = setup.inspector.inspect(captured[0])
    assert inspection.damage is None
    compensation = setup.inspector.compensate()
    setup.live.apply_update(compensation)
    setup.client.apply_update(compensation)
    assert content(setup.live) == before
    assert content(setup.client) == before


def test_same_content_ignores_history_and_key_order_but_not_values() -> None:
    """The check a compensation must pass (the shadow reads like the live document again)."""

    def build(keys: list[str], notes: str, city: str) -> Doc[Any]:
        doc: Doc[Any] = Doc()
        root = doc.get("invoice", type=Map)
        for key in keys:  # one insertion order per document
            root[key] = {"due_date": "2026-12-31", "currency": "EUR"}.get(key, "x")
        root["notes"] = Text(notes)
        root["customer"] = Map({"name": "Zoë 😀", "address": Map({"city": city})})
        doc.get("lines", type=Array).append(Map({"id": "l0", "quantity": "2"}))
        return doc

    reference = build(["due_date", "currency"], "Merci", "Lyon")
    reordered = build(["currency", "due_date"], "Merci", "Lyon")
    retyped = build(["due_date", "currency"], "Merci!", "Lyon")
    del retyped.get("invoice", type=Map)["notes"][5:6]  # back to "Merci"
    assert same_content(reference, reordered, INVOICE_SHAPE)
    assert same_content(reference, retyped, INVOICE_SHAPE)
    assert not same_content(
        reference, build(["due_date", "currency"], "Merci", "Lille"), INVOICE_SHAPE
    )
    assert not same_content(
        reference, build(["due_date", "currency"], "merci", "Lyon"), INVOICE_SHAPE
    )
    other_line = build(["due_date", "currency"], "Merci", "Lyon")
    other_line.get("lines", type=Array)[0]["quantity"] = "3"
    assert not same_content(reference, other_line, INVOICE_SHAPE)
