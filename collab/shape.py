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
class DocumentShape:
    """A document of two roots: a map of named fields (the header) and an array of rows, each
    a map with a stable string id. Field paths are `<header_root>.<field>...` and
    `<rows_root>.<row id>.<field>...`; the nouns only make refusal messages read naturally."""

    header_root: str
    header: Field
    rows_root: str
    row: Field
    row_id: str
    max_rows: int
    max_row_id_length: int
    header_noun: str = "header"
    row_noun: str = "row"
    _row_id_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.compile(rf"[^.\s]{{1,{self.max_row_id_length}}}")
        object.__setattr__(self, "_row_id_pattern", pattern)

    @property
    def roots(self) -> tuple[str, str]:
        return (self.header_root, self.rows_root)

    def valid_path(self, path: str) -> bool:
        """A path naming a field of the header, or a row or a field of a row."""
        parts = path.split(".")
        if parts[0] == self.header_root:
            return len(parts) > 1 and field_in(self.header, parts[1:]) is not None
        if parts[0] == self.rows_root:
            return (
                len(parts) > 1
                and bool(self._row_id_pattern.fullmatch(parts[1]))
                and field_in(self.row, parts[2:]) is not None
            )
        return False

    def field_at(self, path: str) -> Field | None:
        """The schema of a valid path (a row itself is its `row` map)."""
        parts = path.split(".")
        if parts[0] == self.header_root:
            return field_in(self.header, parts[1:])
        if parts[0] == self.rows_root and len(parts) > 1:
            return field_in(self.row, parts[2:])
        return None
