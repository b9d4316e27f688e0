"""The inspection's lazy events (collab/sync/events.py) read what pycrdt's own `observe_deep`
events read, through pycrdt's private parts: these tests hold them to each other, so that a
pycrdt upgrade that changes those parts fails here rather than in the inspection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text

from collab.sync.events import Event, observe_deep


def _plain(value: Any) -> Any:
    """Events' values compared by content: pycrdt wraps each time, so identities differ."""
    if isinstance(value, Map | Array | Text):
        return (type(value).__name__, value.to_py())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _both(change: Callable[[Doc[Any]], None]) -> tuple[list[Any], list[Any]]:
    """Apply one writer's change to a copy observed both ways; each way's events, read."""
    writer: Doc[Any] = Doc()
    header, lines = writer.get("invoice", type=Map), writer.get("lines", type=Array)
    with writer.transaction():
        header["customer"] = Map({"name": "ACME", "city": "Lyon"})
        header["payment_terms"] = "30 days"
        lines.append(Map({"id": "l1", "description": Text("Audit"), "quantity": "1"}))
    copy: Doc[Any] = Doc()
    copy.apply_update(writer.get_update())
    before = writer.get_state()
    change(writer)
    ours: list[Any] = []
    theirs: list[Any] = []

    def read_ours(events: list[Event]) -> None:
        for event in events:
            keys = event.keys if event.kind == "map" else None
            delta = event.delta if event.kind in ("text", "array") else None
            target = event.target
            ours.append((event.kind, event.path, _plain(keys), _plain(delta), target))

    def read_theirs(events: list[Any]) -> None:
        kinds = {"MapEvent": "map", "TextEvent": "text", "ArrayEvent": "array"}
        for event in events:
            kind = kinds[type(event).__name__]
            keys = event.keys if kind == "map" else None
            delta = event.delta if kind in ("text", "array") else None
            theirs.append((kind, event.path, _plain(keys), _plain(delta), event.target))

    # Subscriptions live as long as the type's wrapper (pycrdt's as ours): both kept here.
    roots = [copy.get("invoice", type=Map), copy.get("lines", type=Array)]
    for shared in roots:
        observe_deep(shared, read_ours)
        shared.observe_deep(read_theirs)
    copy.apply_update(writer.get_update(before))
    # The changed types: ours wrapped after the callback, as an undo does.
    ours = [(*rest, _plain(target.get())) for *rest, target in ours]
    theirs = [(*rest, _plain(target)) for *rest, target in theirs]
    return ours, theirs


def _header(doc: Doc[Any]) -> Map[Any]:
    header: Map[Any] = doc.get("invoice", type=Map)
    return header


def _line(doc: Doc[Any]) -> Map[Any]:
    line: Map[Any] = doc.get("lines", type=Array)[0]
    return line


def _set_field(doc: Doc[Any]) -> None:
    _header(doc)["payment_terms"] = "60 days"


def _set_nested(doc: Doc[Any]) -> None:
    _header(doc)["customer"]["city"] = "Nantes"


def _replace_map(doc: Doc[Any]) -> None:
    _header(doc)["customer"] = Map({"name": "Globex"})


def _delete_key(doc: Doc[Any]) -> None:
    del _header(doc)["payment_terms"]


def _type(doc: Doc[Any]) -> None:
    _line(doc)["description"].insert(5, " fees")


def _erase(doc: Doc[Any]) -> None:
    del _line(doc)["description"][0:2]


def _set_line_field(doc: Doc[Any]) -> None:
    _line(doc)["quantity"] = "3"


def _insert_line(doc: Doc[Any]) -> None:
    doc.get("lines", type=Array).append(Map({"id": "l2", "description": Text("Travel")}))


def _delete_line(doc: Doc[Any]) -> None:
    del doc.get("lines", type=Array)[0]


def _several(doc: Doc[Any]) -> None:
    with doc.transaction():
        _set_field(doc)
        _type(doc)
        _insert_line(doc)


@pytest.mark.parametrize(
    "change",
    [
        _set_field,
        _set_nested,
        _replace_map,
        _delete_key,
        _type,
        _erase,
        _set_line_field,
        _insert_line,
        _delete_line,
        _several,
    ],
)
def test_events_read_as_pycrdt_reads_them(change: Callable[[Doc[Any]], None]) -> None:
    ours, theirs = _both(change)
    assert ours and ours == theirs


def test_a_field_set_reads_its_path_and_keys() -> None:
    """By hand: the second line's quantity set from "1" to "3"."""
    ours, _ = _both(_set_line_field)
    assert ours == [
        (
            "map",
            [0],
            {"quantity": {"action": "update", "oldValue": "1", "newValue": "3"}},
            None,
            ("Map", {"id": "l1", "description": "Audit", "quantity": "3"}),
        )
    ]


def test_the_callback_reads_the_document_and_its_errors_reach_the_apply() -> None:
    writer: Doc[Any] = Doc()
    copy: Doc[Any] = Doc()
    lines = copy.get("lines", type=Array)
    seen: list[Any] = []

    def callback(events: list[Event]) -> None:
        inserted = events[0].delta[0]["insert"][0]
        seen.append(inserted.to_py())  # a read inside the applying transaction
        raise ValueError("refused by the observer")

    observe_deep(lines, callback)
    writer.get("lines", type=Array).append(Map({"id": "l1"}))
    with pytest.raises(ExceptionGroup) as raised:
        copy.apply_update(writer.get_update())
    assert seen == [{"id": "l1"}]
    assert raised.group_contains(ValueError, match="refused by the observer")
    assert lines.to_py() == [{"id": "l1"}]  # applied all the same, as with pycrdt's observers
