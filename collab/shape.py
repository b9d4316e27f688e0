"""The language both halves of `collab` use to describe a document's structure.

The sync engine (`collab.sync`) inspects updates against a `DocumentShape` it is given; the
invoice domain (`collab.invoice.document`) declares the invoice's shape in these terms. This
module imports neither, so the two halves stay independent of each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    STRING = "string"  # a plain string (numbers travel as decimal strings)
    TEXT = "text"  # a Y.Text, or a plain string from simple clients
    MAP = "map"  # a Y.Map with the fields of `Field.fields`


@dataclass(frozen=True, slots=True)
class Field:
    kind: Kind
    fields: dict[str, Field] | None = None  # for maps
    max_length: int = 1000


def field_in(root: Field | None, path: tuple[str, ...] | list[str]) -> Field | None:
    """The schema of a path below `root` (`("customer", "name")`), or None if it has none."""
    current = root
    for name in path:
        if current is None or current.fields is None:
            return None
        current = current.fields.get(name)
    return current


def conforms(value: object, field: Field) -> str | None:
    """Why a plain (to_py) value does not fit `field`, or None when it does."""
    if field.kind is Kind.MAP:
        if not isinstance(value, dict):
            return f"must be a map, not {type(value).__name__}"
        assert field.fields is not None
        for key, item in value.items():
            sub = field.fields.get(key)
            if sub is None:
                return f"unknown field {key!r}"
            problem = conforms(item, sub)
            if problem:
                return f"{key}: {problem}"
        return None
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if len(value) > field.max_length:
        return f"longer than {field.max_length} characters"
    return None


@dataclass(frozen=True, slots=True)
class Rows:
    """A root array of rows, each a map with a stable string id: `<root>.<row id>.<field>...`.
    The nouns only make refusal messages read naturally (`plural` defaults to noun + "s")."""

    root: str
    row: Field
    row_id: str
    max_rows: int
    max_row_id_length: int
    noun: str = "row"
    plural: str = ""
    _id_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.compile(rf"[^.\s]{{1,{self.max_row_id_length}}}")
        object.__setattr__(self, "_id_pattern", pattern)

    @property
    def nouns(self) -> str:
        return self.plural or f"{self.noun}s"

    def valid_id(self, row_id: str) -> bool:
        """Non-empty, bounded, and without a dot or whitespace (it is a path segment)."""
        return bool(self._id_pattern.fullmatch(row_id))


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """A document of a header map of named fields (`<header_root>.<field>...`) and any number
    of row collections (`Rows`), each its own root."""

    header_root: str
    header: Field
    rows: tuple[Rows, ...]
    header_noun: str = "header"
    _by_root: dict[str, Rows] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_root = {rows.root: rows for rows in self.rows}
        if len(by_root) != len(self.rows) or self.header_root in by_root:
            raise ValueError("every root of a document shape needs its own name")
        object.__setattr__(self, "_by_root", by_root)

    @property
    def roots(self) -> tuple[str, ...]:
        return (self.header_root, *self._by_root)

    def collection(self, root: str) -> Rows | None:
        """The row collection held at `root`, or None (the header, or an unknown root)."""
        return self._by_root.get(root)

    def valid_path(self, path: str) -> bool:
        """A path naming a field of the header, or a row or a field of a row."""
        parts = path.split(".")
        if parts[0] == self.header_root:
            return len(parts) > 1 and field_in(self.header, parts[1:]) is not None
        rows = self._by_root.get(parts[0])
        return (
            rows is not None
            and len(parts) > 1
            and rows.valid_id(parts[1])
            and field_in(rows.row, parts[2:]) is not None
        )

    def field_at(self, path: str) -> Field | None:
        """The schema of a valid path (a row itself is its `row` map)."""
        parts = path.split(".")
        if parts[0] == self.header_root:
            return field_in(self.header, parts[1:])
        rows = self._by_root.get(parts[0])
        if rows is not None and len(parts) > 1:
            return field_in(rows.row, parts[2:])
        return None
