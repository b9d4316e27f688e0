"""Update inspection: what an incoming update changes, before it reaches the live document.

Every update from a peer is first applied to a *shadow* copy of the room's document. Observers on
the shadow say which field paths it changes (`invoice.customer.name`, `lines.<id>.unit_price`,
`lines.<id>` for a row added or removed), whether it respects the schema, and how to undo it.
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

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.shape import DocumentShape, field_in
from collab.sync.errors import is_crdt_failure
from collab.sync.events import Event, observe_deep
from collab.sync.inspect_edits import ChangeKind, EditRecorder, FieldChange, Inspection
from collab.sync.inspect_rows import RowsInspector
from collab.sync.integrity import Integrity
from collab.sync.peer import Identity

__all__ = ["ChangeKind", "FieldChange", "Inspection", "Policy", "UpdateInspector"]

# A rule an update must pass, beyond the schema: given who sends it and what it changes, the
# reason to refuse it, or None. Workflow state and per-field locks are policies.
Policy = Callable[[Identity, Inspection], str | None]


def root_names(doc: Doc[Any]) -> set[str]:
    """The names of a document's roots. `Doc.keys()` wraps every root in a pycrdt type object
    to return only their names: 14 us per update, a sixth of the inspection at the time
    (bench/inspect_cost.py). This reads the names from the underlying Yrs document, in one
    transaction: about 2 us. pycrdt's private attributes, pinned by pyproject.toml (<0.15)."""
    with doc.transaction() as txn:
        assert txn._txn is not None
        return set(doc._doc.roots(txn._txn))


def same_content(a: Doc[Any], b: Doc[Any], shape: DocumentShape) -> bool:
    """Whether two documents read the same through `shape`'s roots, whatever their histories."""
    return _content(a, shape) == _content(b, shape)


def _content(doc: Doc[Any], shape: DocumentShape) -> list[Any]:
    # `str()` of a root is Yrs' JSON, read in one call: `to_py()` walks the document through
    # pycrdt's wrappers, and made a refusal of a 50-line invoice cost 3.6 ms instead of 0.4.
    # Parsed, because two documents may list a map's keys in different orders.
    return [
        json.loads(str(doc.get(shape.header_root, type=Map))),
        *(json.loads(str(doc.get(rows.root, type=Array))) for rows in shape.rows),
    ]


class UpdateInspector:
    def __init__(self, live: Doc[Any], shape: DocumentShape) -> None:
        self._live = live
        self._shape = shape
        self._edits = EditRecorder()
        self._built = False

    def reset(self) -> None:
        """Drop the shadow (after damage, or when nobody is left to edit); the next inspection
        rebuilds it from the live document. Rooms that are only read never pay for one."""
        if self._built:
            self._built = False
            del self._shadow, self._header, self._collections, self._integrity

    def _build(self) -> None:
        shape = self._shape
        self._built = True
        self._roots = frozenset(shape.roots)
        self._shadow: Doc[Any] = Doc()
        self._shadow.apply_update(self._live.get_update())
        # The shadow's state vector as the last inspection left it: the next one's "before"
        # (one encoding of the state vector per update instead of two). None once anything
        # else changed the shadow (a compensation).
        self._state: bytes | None = None
        self._integrity = Integrity()  # what the shadow is known to hold, per client
        self._header = self._shadow.get(shape.header_root, type=Map)
        observe_deep(self._header, self._on_header)
        self._collections = [
            RowsInspector(rows, self._shadow, self._live, self._edits) for rows in shape.rows
        ]

    # -- inspection -----------------------------------------------------------------------

    def inspect(self, update: bytes, *, full: bool = False) -> Inspection:
        """Apply `update` to the shadow and say what it changes. Raises what pycrdt raises for
        bytes it cannot apply (`is_crdt_failure`): the shadow must then be `reset`. An update
        with pending parts is reported as such, unanalysed: the shadow must be reset too.
        Typing is left unread unless `full` (`Inspection.partial`)."""
        if not self._built:
            self._build()
        self._before = self._state if self._state is not None else self._shadow.get_state()
        self._state = None  # until this update is applied
        self._edits.start(update, full=full)
        self._suspect_header_type = False
        for collection in self._collections:
            collection.start()
        self._shadow.apply_update(update)
        inspection = self._edits.inspection
        self._state = self._shadow.get_state()
        if not self._integrity.check(update, self._state):
            inspection.pending = True
            return inspection
        unknown = root_names(self._shadow) - self._roots
        if unknown:
            inspection.damage = f"unknown document root {sorted(unknown)[0]!r}"
        elif self._suspect_header_type or any(c.suspect_root_type for c in self._collections):
            inspection.damage = self._misused_root()
        if inspection.damage is None:
            for collection in self._collections:
                collection.check()
        return inspection

    def _misused_root(self) -> str | None:
        """A root event without a readable change is either a change that lost to a concurrent
        one (two people setting one field: frequent), content added and removed in one
        transaction, or content written to a root through another type (invisible through the
        server's view, yet stored and sent on). Each root is read as the other type: Yrs keeps
        a root's sequence and its keys apart whatever type it was first read as, and reading
        it as another does not change that type (the shadow's observers and views stay as
        they are; tests/test_inspect_damage.py). This replaced a third copy of the document
        that took every update (`_keep_probe`: 3 % of a core at 800 updates/s, py-spy)."""
        shadow = self._shadow
        for collection in self._collections:
            misused = collection.misused(shadow)
            if misused is not None:
                return misused
        if len(shadow.get(self._shape.header_root, type=Array)):
            return f"the {self._shape.header_noun} was used as another type"
        return None

    def follow(self, update: bytes) -> None:
        """Keep the shadow in step with an update about to be applied to the live document
        without a decision of ours (another process accepted it): inspected like any update so
        the row bookkeeping follows, whatever it finds; anything odd drops the shadow, which
        the next inspection rebuilds."""
        if not self._built:
            return
        try:
            inspection = self.inspect(update)
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise
            self.reset()
            return
        if inspection.pending or inspection.damage is not None:
            self.reset()
        else:
            self.accept()

    def accept(self) -> None:
        """The update was applied to the live document too: the shadow is in step again."""
        for collection in self._collections:
            collection.accept()

    def compensate(self) -> bytes:
        """Undo the inspected update in the shadow; return the update that brings the live
        document (and the sender) to the same state, without the refused content."""
        if self._edits.inspection.partial:
            # Typing was left unread: inspect it again, every change read for its undo
            # steps, on a shadow rebuilt from the live document (which never applied it).
            # Only a refused edit of a text gets here: a locked field, a frozen invoice.
            update = self._edits.update
            self.reset()
            self.inspect(update, full=True)
        self._edits.compensating = True
        self._state = None
        try:
            with self._shadow.transaction(origin="cofacture-server"):
                for undo in reversed(self._edits.undo):
                    undo()
        finally:
            self._edits.compensating = False
        compensation = self._shadow.get_update(self._before)
        if not same_content(self._shadow, self._live, self._shape):
            raise RuntimeError("compensation did not restore the document")
        return compensation

    # -- header events --------------------------------------------------------------------

    def _on_header(self, events: list[Event]) -> None:
        if self._edits.compensating:
            return
        shape = self._shape
        for event in events:
            path = tuple(str(p) for p in event.path)
            if event.kind == "map" and (keys := event.keys):
                live_map = partial(self._live_header_map, path)
                for key, info in keys.items():
                    self._edits.map_change(
                        event, live_map, path, key, info, shape.header_root, shape.header
                    )
            elif event.kind == "text" and path:
                live_text = partial(self._live_header_text, path)
                self._edits.text_change(
                    event,
                    live_text,
                    f"{shape.header_root}.{'.'.join(path)}",
                    field_in(shape.header, path),
                )
            elif not path:
                self._suspect_header_type = True

    def _live_header_map(self, path: tuple[str, ...]) -> Map[Any] | None:
        current: Any = self._live.get(self._shape.header_root, type=Map)
        for name in path:
            current = current.get(name) if isinstance(current, Map) else None
        return current if isinstance(current, Map) else None

    def _live_header_text(self, path: tuple[str, ...]) -> Text | str | None:
        parent = self._live_header_map(path[:-1])
        return parent.get(path[-1]) if parent is not None else None
