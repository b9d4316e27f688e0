"""Building blocks of update inspection (collab/sync/inspect.py): plain values, fresh shared
values typed after a shape, and the undo operations that compensate a refused update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Array, Map, Text

from collab.shape import Field, Kind

LiveText = Callable[[], "Text | str | None"]


def prelim(value: Any, schema: Field | None) -> Any:
    """A fresh shared value equal to `value` (a to_py form), typed after `schema`."""
    if isinstance(value, dict):
        fields = schema.fields if schema is not None and schema.fields is not None else {}
        return Map({k: prelim(v, fields.get(k)) for k, v in value.items()})
    if isinstance(value, list):
        return Array([prelim(v, None) for v in value])
    if isinstance(value, str) and schema is not None and schema.kind is Kind.TEXT:
        return Text(value)
    return value


def plain(value: Any) -> Any:
    to_py = getattr(value, "to_py", None)
    return to_py() if callable(to_py) else value


def text_bytes(text: Text) -> bytes:
    # pycrdt's text offsets are UTF-8 byte offsets.
    return str(text).encode()


def descend(node: Any, path: tuple[str, ...]) -> Map[Any] | None:
    for name in path:
        node = node.get(name) if isinstance(node, Map) else None
    return node if isinstance(node, Map) else None


class LazyBytes:
    """The UTF-8 bytes of a live text, read once and only if an undo needs them."""

    def __init__(self, source: LiveText) -> None:
        self._source = source
        self._value: bytes | None = None

    def get(self) -> bytes:
        if self._value is None:
            text = self._source()
            self._value = text_bytes(text) if isinstance(text, Text) else b""
        return self._value


def reinsert(target: Text, at: int, old: LazyBytes, start: int, size: int) -> None:
    target.insert(at, old.get()[start : start + size].decode(errors="replace"))


def delete_range(target: Array[Any] | Text, at: int, count: int) -> None:
    del target[at : at + count]


def insert_all(target: Array[Any], at: int, lines: list[Any], schema: Field) -> None:
    """Re-insert copies of deleted live lines (read now: the live document is still as before)."""
    for offset, line in enumerate(lines):
        target.insert(at + offset, prelim(plain(line), schema))
