"""Inspection of one row collection (a `Rows` root) of the shadow document.

Rows are inserted and deleted whole (`<root>.<row id>`, INSERT or DELETE) and edited field by
field (`<root>.<row id>.<field>...`). An inserted row must conform to the row schema and carry a
non-empty string id; ids stay unique and immutable, and the collection bounded. Ids are counted
incrementally (the counter moves by what each accepted update adds and removes), so accepting
an update never scans the rows.

The rows' ids are also kept in document order (`_order`), moved by each accepted update's delta:
an edit inside a row names the row by its index, and reading the id through pycrdt (a wrapper
for the row, three transactions for the key) was a fifth of the inspection's time.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.shape import Rows, conforms, field_in
from collab.sync.events import Event, observe_deep
from collab.sync.inspect_edits import ChangeKind, EditRecorder
from collab.sync.undo import delete_range, descend, insert_all


class RowsInspector:
    def __init__(self, rows: Rows, shadow: Doc[Any], live: Doc[Any], edits: EditRecorder) -> None:
        self._rows = rows
        self._live = live
        self._edits = edits
        self._array: Array[Any] = shadow.get(rows.root, type=Array)
        observe_deep(self._array, self._on_rows)
        with shadow.transaction():
            self._order: list[object] = [
                row.get(rows.row_id) if isinstance(row, Map) else None for row in self._array
            ]
        self._ids = Counter(self._order)
        self.start()

    def start(self) -> None:
        """Before an update is applied to the shadow."""
        self.suspect_root_type = False  # a root event without a readable change
        self._id_delta: Counter[object] = Counter()
        self._after: list[object] | None = None  # the ids' order once rows came or went

    def check(self) -> None:
        """After the update: row ids stay unique and the collection bounded."""
        if self._after is None:
            return
        rows = self._rows
        if len(self._after) > rows.max_rows:
            self._edits.problem(f"a document has at most {rows.max_rows} {rows.nouns}")
        for row_id, added in self._id_delta.items():
            if added > 0 and self._ids[row_id] + added > 1:
                self._edits.problem(f"{rows.noun} id {row_id!r} is used twice")

    def accept(self) -> None:
        """The update reached the live document: count its ids as present."""
        if self._after is not None:
            self._order = self._after
            self._after = None
        if not self._id_delta:
            return  # most updates set fields: no row came or went
        ids = self._ids
        for row_id, added in self._id_delta.items():
            count = ids[row_id] + added
            if count > 0:
                ids[row_id] = count
            else:
                ids.pop(row_id, None)  # its rows are gone
        self._id_delta = Counter()

    def misused(self, shadow: Doc[Any]) -> str | None:
        """Content written to this root as a map (see UpdateInspector._misused_root)."""
        if len(shadow.get(self._rows.root, type=Map)):
            return f"the {self._rows.root} were used as another type"
        return None

    # -- events ---------------------------------------------------------------------------

    def _on_rows(self, events: list[Event]) -> None:
        if self._edits.compensating:
            return
        rows = self._rows
        inserted: set[int] = set()
        for event in events:
            if not event.path:
                if event.kind == "array" and event.delta:
                    inserted |= self._rows_delta(event)
                else:
                    self.suspect_root_type = True
        order = self._order if self._after is None else self._after
        for event in events:
            path = list(event.path)
            if not path:
                continue
            index, rest = path[0], tuple(str(p) for p in path[1:])
            if not isinstance(index, int) or index in inserted:
                continue  # inside a row this update adds: checked as part of the insert
            row_id = order[index]  # the id it had before this update, should it change it
            prefix = f"{rows.root}.{row_id}"
            if event.kind == "map" and (keys := event.keys):
                live_map = partial(self._live_row_part, row_id, rest)
                for key, info in keys.items():
                    if not rest and key == rows.row_id:
                        self._edits.problem(f"the id of {rows.noun} {row_id!r} cannot change")
                        self._edits.undo_map_key(event, live_map, key, rows.row.fields)
                        continue
                    self._edits.map_change(event, live_map, rest, key, info, prefix, rows.row)
            elif event.kind == "text" and rest:
                live_text = partial(self._live_row_text, row_id, rest)
                self._edits.text_change(
                    event, live_text, f"{prefix}.{'.'.join(rest)}", field_in(rows.row, rest)
                )
            # Any other event nets to nothing (content added and removed in one transaction).

    def _rows_delta(self, event: Event) -> set[int]:
        """Record row inserts and deletes and the ids' order after them; return the (new)
        indices of inserted rows."""
        rows = self._rows
        before = self._order
        after: list[object] = []
        live_rows = self._live.get(rows.root, type=Array)
        target: Array[Any] = event.target.get()
        inserted: set[int] = set()
        post = pre = 0
        for op in event.delta:
            if "retain" in op:
                after += before[pre : pre + op["retain"]]
                post += op["retain"]
                pre += op["retain"]
            elif "insert" in op:
                items = list(op["insert"])
                for offset, item in enumerate(items):
                    inserted.add(post + offset)
                    after.append(self._check_inserted(item))
                self._edits.undo.append(partial(delete_range, target, post, len(items)))
                post += len(items)
            elif "delete" in op:
                # The live document is still as before the update: it holds the deleted rows.
                old = [live_rows[pre + i] for i in range(op["delete"])]
                for row_id in before[pre : pre + op["delete"]]:
                    self._id_delta[row_id] -= 1
                    self._edits.change(f"{rows.root}.{row_id}", ChangeKind.DELETE)
                self._edits.undo.append(partial(insert_all, target, post, old, rows.row))
                pre += op["delete"]
        after += before[pre:]
        self._after = after
        return inserted

    def _check_inserted(self, item: Any) -> object:
        """Check a row this update inserts; return its id."""
        rows = self._rows
        if not isinstance(item, Map):
            self._edits.problem(f"every {rows.noun} must be a map")
            self._edits.change(f"{rows.root}.?", ChangeKind.INSERT)
            return None
        value = item.to_py() or {}
        row_id = value.get(rows.row_id)
        self._id_delta[row_id] += 1
        self._edits.change(f"{rows.root}.{row_id}", ChangeKind.INSERT)
        if not isinstance(row_id, str) or not row_id:
            self._edits.problem(f"every new {rows.noun} needs a non-empty string id")
        elif not rows.valid_id(row_id):
            # The id is a segment of field paths (locks, comments, messages): no dot, no space.
            self._edits.problem(
                f"{rows.noun} id {row_id!r}: at most {rows.max_row_id_length} characters, "
                "without dots or spaces"
            )
        problem = conforms(value, rows.row)
        if problem:
            self._edits.problem(f"{rows.noun} {row_id}: {problem}")
        return row_id

    # Lookups in the live document run only when compensating (it is still in the state before
    # the update then): the accepted path never scans the rows.

    def _live_row_part(self, row_id: object, path: tuple[str, ...]) -> Map[Any] | None:
        row_id_field = self._rows.row_id
        with self._live.transaction():
            for row in self._live.get(self._rows.root, type=Array):
                if isinstance(row, Map) and row.get(row_id_field) == row_id:
                    return descend(row, path)
        return None

    def _live_row_text(self, row_id: object, path: tuple[str, ...]) -> Text | str | None:
        parent = self._live_row_part(row_id, path[:-1])
        return parent.get(path[-1]) if parent is not None else None
