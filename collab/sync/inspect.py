"""Update inspection: what an incoming update changes, before it reaches the live document.

Every update from a peer is first applied to a *shadow* copy of the room's document. Observers on
the shadow say which field paths it changes (`invoice.customer.name`, `lines.<id>.unit_price`,
`lines.<id>` for a line added or removed), whether it respects the schema, and how to undo it.
The room then either applies the update to the live document too, or refuses it.

A refused update is *compensated*: its undo is applied to the shadow, and the difference between
the shadow and the live document (the refused items, now deleted and garbage-collected, plus the
restored values) is what everyone receives. The sender's copy comes back to the server's state
while keeping its CRDT history consistent, other clients never see the refused content, and the
log stores only the compensated form. Damage that cannot be undone through the document's API
(an unknown root, a root used as another type) is refused without compensation: the sender must
resync from scratch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.shape import DocumentShape, Field, conforms, field_in
from collab.sync.integrity import fully_integrated
from collab.sync.peer import Identity
from collab.sync.undo import (
    LazyBytes,
    LiveText,
    delete_range,
    descend,
    event_kind,
    insert_all,
    plain,
    prelim,
    reinsert,
)


class ChangeKind(StrEnum):
    SET = "set"  # a value set or replaced
    DELETE = "delete"  # a value or a line removed
    INSERT = "insert"  # a line added
    EDIT = "edit"  # characters typed or deleted in a text field


@dataclass(frozen=True, slots=True)
class FieldChange:
    path: str
    kind: ChangeKind


@dataclass(slots=True)
class Inspection:
    changes: list[FieldChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # schema violations; compensable
    damage: str | None = None  # not compensable: the sender must resync
    # Parts of the update wait for content the document lacks (collab/sync/integrity.py).
    pending: bool = False

    def paths(self) -> set[str]:
        return {change.path for change in self.changes}


Undo = Callable[[], None]
LiveMap = Callable[[], "Map[Any] | None"]

# A rule an update must pass, beyond the schema: given who sends it and what it changes, the
# reason to refuse it, or None. Workflow state and per-field locks are policies.
Policy = Callable[[Identity, Inspection], str | None]


class UpdateInspector:
    def __init__(self, live: Doc[Any], shape: DocumentShape) -> None:
        self._live = live
        self._shape = shape
        self._undo: list[Undo] = []
        self._inspection = Inspection()
        self._compensating = False  # the undo's own events are not inspected
        self._built = False

    def reset(self) -> None:
        """Drop the shadow (after damage, or when nobody is left to edit); the next inspection
        rebuilds it from the live document. Rooms that are only read never pay for one."""
        if self._built:
            self._built = False
            del self._shadow, self._header, self._lines, self._ids

    def _build(self) -> None:
        shape = self._shape
        self._built = True
        self._shadow: Doc[Any] = Doc()
        self._shadow.apply_update(self._live.get_update())
        self._header = self._shadow.get(shape.header_root, type=Map)
        self._lines = self._shadow.get(shape.rows_root, type=Array)
        self._header.observe_deep(self._on_header)
        self._lines.observe_deep(self._on_lines)
        with self._shadow.transaction():
            self._ids = Counter(
                line.get(shape.row_id) for line in self._lines if isinstance(line, Map)
            )

    # -- inspection -----------------------------------------------------------------------

    def inspect(self, update: bytes) -> Inspection:
        """Apply `update` to the shadow and say what it changes. Raises what pycrdt raises for
        bytes it cannot apply (`is_crdt_failure`): the shadow must then be `reset`. An update
        with pending parts is reported as such, unanalysed: the shadow must be reset too."""
        if not self._built:
            self._build()
        self._before = self._shadow.get_state()
        self._undo = []
        self._inspection = Inspection()
        self._lines_changed = False
        self._suspect_root_types = False
        self._id_delta: Counter[object] = Counter()
        self._shadow.apply_update(update)
        inspection = self._inspection
        if not fully_integrated(update, self._shadow.get_state()):
            inspection.pending = True
            return inspection
        unknown = set(self._shadow.keys()) - set(self._shape.roots)
        if unknown:
            inspection.damage = f"unknown document root {sorted(unknown)[0]!r}"
        elif self._suspect_root_types:
            inspection.damage = self._misused_root()
        if self._lines_changed and inspection.damage is None:
            self._check_line_ids()
        return inspection

    def _misused_root(self) -> str | None:
        """A root event without a readable change is either content added and removed in one
        transaction, or content written to a root through another type (invisible through the
        server's view, yet stored and sent on). Rare, so checked with a fresh copy only then."""
        probe: Doc[Any] = Doc()
        probe.apply_update(self._shadow.get_update())
        shape = self._shape
        if probe.get(shape.rows_root, type=Map).to_py():
            return f"the {shape.rows_root} were used as another type"
        if probe.get(shape.header_root, type=Array).to_py():
            return f"the {shape.header_noun} was used as another type"
        return None

    def accept(self) -> None:
        """The update was applied to the live document too: the shadow is in step again."""
        self._ids.update(self._id_delta)
        self._ids = +self._ids  # drop ids whose lines are gone

    def compensate(self) -> bytes:
        """Undo the inspected update in the shadow; return the update that brings the live
        document (and the sender) to the same state, without the refused content."""
        self._compensating = True
        try:
            with self._shadow.transaction(origin="cofacture-server"):
                for undo in reversed(self._undo):
                    undo()
        finally:
            self._compensating = False
        compensation = self._shadow.get_update(self._before)
        if self._content(self._shadow) != self._content(self._live):
            raise RuntimeError("compensation did not restore the document")
        return compensation

    def _content(self, doc: Doc[Any]) -> tuple[Any, Any]:
        return (
            doc.get(self._shape.header_root, type=Map).to_py(),
            doc.get(self._shape.rows_root, type=Array).to_py(),
        )

    # -- header events --------------------------------------------------------------------

    def _on_header(self, events: list[Any]) -> None:
        if self._compensating:
            return
        for event in events:
            path = tuple(str(p) for p in event.path)
            if event_kind(event) == "map" and event.keys:
                live_map = partial(self._live_header_map, path)
                for key, info in event.keys.items():
                    self._map_change(
                        event.target,
                        live_map,
                        path,
                        key,
                        info,
                        self._shape.header_root,
                        self._shape.header,
                    )
            elif event_kind(event) == "text" and path and event.delta:
                live_text = partial(self._live_header_text, path)
                prefix = self._shape.header_root
                self._text_change(event, live_text, f"{prefix}.{'.'.join(path)}")
            elif not path:
                self._suspect_root_types = True

    def _live_header_map(self, path: tuple[str, ...]) -> Map[Any] | None:
        current: Any = self._live.get(self._shape.header_root, type=Map)
        for name in path:
            current = current.get(name) if isinstance(current, Map) else None
        return current if isinstance(current, Map) else None

    def _live_header_text(self, path: tuple[str, ...]) -> Text | str | None:
        parent = self._live_header_map(path[:-1])
        return parent.get(path[-1]) if parent is not None else None

    # -- line events ----------------------------------------------------------------------

    def _on_lines(self, events: list[Any]) -> None:
        if self._compensating:
            return
        shape = self._shape
        inserted: set[int] = set()
        for event in events:
            if not event.path:
                if event_kind(event) == "array" and event.delta:
                    inserted |= self._lines_delta(event)
                else:
                    self._suspect_root_types = True
        for event in events:
            path = list(event.path)
            if not path:
                continue
            index, rest = path[0], tuple(str(p) for p in path[1:])
            if not isinstance(index, int) or index in inserted:
                continue  # inside a line this update adds: checked as part of the insert
            line = self._lines[index]
            line_id = line.get(shape.row_id) if isinstance(line, Map) else None
            if not rest and event_kind(event) == "map" and shape.row_id in event.keys:
                line_id = event.keys[shape.row_id].get("oldValue", line_id)  # the id it had
            prefix = f"{shape.rows_root}.{line_id}"
            if event_kind(event) == "map" and event.keys:
                live_map = partial(self._live_line_part, line_id, rest)
                for key, info in event.keys.items():
                    if not rest and key == shape.row_id:
                        self._inspection.problems.append(f"a {shape.row_noun}'s id cannot change")
                        self._undo_map_key(event.target, live_map, key, shape.row.fields)
                        continue
                    self._map_change(event.target, live_map, rest, key, info, prefix, shape.row)
            elif event_kind(event) == "text" and rest and event.delta:
                live_text = partial(self._live_line_text, line_id, rest)
                self._text_change(event, live_text, f"{prefix}.{'.'.join(rest)}")
            # Any other event nets to nothing (content added and removed in one transaction).

    # Lookups in the live document run only when compensating (it is still in the state before
    # the update then): the accepted path never scans the lines.

    def _live_line_part(self, line_id: object, path: tuple[str, ...]) -> Map[Any] | None:
        row_id = self._shape.row_id
        with self._live.transaction():
            for line in self._live.get(self._shape.rows_root, type=Array):
                if isinstance(line, Map) and line.get(row_id) == line_id:
                    return descend(line, path)
        return None

    def _live_line_text(self, line_id: object, path: tuple[str, ...]) -> Text | str | None:
        parent = self._live_line_part(line_id, path[:-1])
        return parent.get(path[-1]) if parent is not None else None

    def _lines_delta(self, event: Any) -> set[int]:
        """Record line inserts and deletes; return the (new) indices of inserted lines."""
        self._lines_changed = True
        shape = self._shape
        live_lines = self._live.get(shape.rows_root, type=Array)
        target: Array[Any] = event.target
        inserted: set[int] = set()
        post = pre = 0
        for op in event.delta:
            if "retain" in op:
                post += op["retain"]
                pre += op["retain"]
            elif "insert" in op:
                items = list(op["insert"])
                for offset, item in enumerate(items):
                    inserted.add(post + offset)
                    self._check_inserted_line(item)
                self._undo.append(partial(delete_range, target, post, len(items)))
                post += len(items)
            elif "delete" in op:
                old = [live_lines[pre + i] for i in range(op["delete"])]
                for line in old:
                    line_id = line.get(shape.row_id) if isinstance(line, Map) else None
                    self._id_delta[line_id] -= 1
                    self._change(f"{shape.rows_root}.{line_id}", ChangeKind.DELETE)
                self._undo.append(partial(insert_all, target, post, old, shape.row))
                pre += op["delete"]
        return inserted

    def _check_inserted_line(self, item: Any) -> None:
        shape = self._shape
        if not isinstance(item, Map):
            self._inspection.problems.append(f"a {shape.row_noun} must be a map")
            self._change(f"{shape.rows_root}.?", ChangeKind.INSERT)
            return
        value = item.to_py() or {}
        line_id = value.get(shape.row_id)
        self._id_delta[line_id] += 1
        self._change(f"{shape.rows_root}.{line_id}", ChangeKind.INSERT)
        if not isinstance(line_id, str) or not line_id:
            self._inspection.problems.append(f"a new {shape.row_noun} needs a non-empty string id")
        problem = conforms(value, shape.row)
        if problem:
            self._inspection.problems.append(f"{shape.row_noun} {line_id}: {problem}")

    def _check_line_ids(self) -> None:
        """Line ids stay unique and lines bounded; counted incrementally, not by a scan."""
        shape = self._shape
        if len(self._lines) > shape.max_rows:
            self._inspection.problems.append(
                f"a document has at most {shape.max_rows} {shape.row_noun}s"
            )
        for line_id, added in self._id_delta.items():
            if added > 0 and self._ids[line_id] + added > 1:
                self._inspection.problems.append(f"{shape.row_noun} id {line_id!r} is used twice")

    # -- shared ---------------------------------------------------------------------------

    def _map_change(
        self,
        target: Map[Any],
        live_map: LiveMap,
        path: tuple[str, ...],
        key: str,
        info: dict[str, Any],
        prefix: str,
        root_schema: Field,
    ) -> None:
        full = (*path, key)
        schema = field_in(root_schema, full)
        action = info.get("action")
        self._change(
            f"{prefix}.{'.'.join(full)}",
            ChangeKind.DELETE if action == "delete" else ChangeKind.SET,
        )
        parent_schema = field_in(root_schema, path)
        self._undo_map_key(target, live_map, key, parent_schema.fields if parent_schema else None)
        if schema is None:
            self._inspection.problems.append(f"unknown field {'.'.join(full)!r}")
        elif action != "delete":
            problem = conforms(plain(info.get("newValue")), schema)
            if problem:
                self._inspection.problems.append(f"{'.'.join(full)} {problem}")

    def _undo_map_key(
        self, target: Map[Any], live_map: LiveMap, key: str, fields: dict[str, Field] | None
    ) -> None:
        schema = fields.get(key) if fields else None

        def undo() -> None:
            before = live_map()
            if before is not None and key in before:
                target[key] = prelim(plain(before[key]), schema)
            elif key in target:
                del target[key]

        self._undo.append(undo)

    def _text_change(self, event: Any, live_text: LiveText, path: str) -> None:
        self._change(path, ChangeKind.EDIT)
        target: Text = event.target
        ops: list[Undo] = []
        old = LazyBytes(live_text)
        post = pre = 0
        for op in event.delta:
            if "retain" in op:
                post += op["retain"]
                pre += op["retain"]
            elif "insert" in op:
                inserted = op["insert"]
                if not isinstance(inserted, str):
                    self._inspection.problems.append(f"{path} holds plain text only")
                    inserted = " "
                size = len(inserted.encode())
                ops.append(partial(delete_range, target, post, size))
                post += size
            elif "delete" in op:
                ops.append(partial(reinsert, target, post, old, pre, op["delete"]))
                pre += op["delete"]
        # Right to left, so that each operation's offset is still valid when it runs.
        self._undo.extend(ops)

    def _change(self, path: str, kind: ChangeKind) -> None:
        self._inspection.changes.append(FieldChange(path, kind))
