"""What one inspected update changes, and the steps that would undo it (collab/sync/inspect.py).

`EditRecorder` is shared by the observers of every root of the shadow document: each reports
the field paths an event changes, the schema problems it finds, and an undo step per change.
Undo steps read the live document, which is still in the state before the update when a
compensation runs them; the accepted path never reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from pycrdt import Map

from collab.shape import Field, conforms, field_in
from collab.sync.contents import only_typing
from collab.sync.events import Event, Target
from collab.sync.undo import LazyBytes, LiveText, delete_range, plain, prelim, reinsert


class ChangeKind(StrEnum):
    SET = "set"  # a value set or replaced
    DELETE = "delete"  # a value or a row removed
    INSERT = "insert"  # a row added
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
    # Typing left unread (collab/sync/contents.py): no undo steps for it yet
    # (`UpdateInspector.compensate` inspects the update again in full first).
    partial: bool = False

    def paths(self) -> set[str]:
        return {change.path for change in self.changes}


Undo = Callable[[], None]
LiveMap = Callable[[], "Map[Any] | None"]


class EditRecorder:
    """The inspection of the update being applied to the shadow, and its undo steps."""

    def __init__(self) -> None:
        self.inspection = Inspection()
        self.undo: list[Undo] = []
        self.compensating = False  # the undo's own events are not inspected
        self.update = b""  # the update being inspected
        self._typing: bool | None = False

    def start(self, update: bytes, *, full: bool) -> None:
        """Before `update` is applied to the shadow; `full`: read every change, typing too."""
        self.inspection = Inspection()
        self.undo = []
        self.update = update
        self._typing = None if not full else False  # whether it only types, once known

    def _only_typing(self) -> bool:
        if self._typing is None:
            self._typing = only_typing(self.update)
        return self._typing

    def change(self, path: str, kind: ChangeKind) -> None:
        self.inspection.changes.append(FieldChange(path, kind))

    def problem(self, problem: str) -> None:
        self.inspection.problems.append(problem)

    def map_change(
        self,
        event: Event,
        live_map: LiveMap,
        path: tuple[str, ...],
        key: str,
        info: dict[str, Any],
        prefix: str,
        root_schema: Field,
    ) -> None:
        """A key of a map below a root set or deleted: its path, its schema check, its undo."""
        full = (*path, key)
        schema = field_in(root_schema, full)
        action = info.get("action")
        self.change(
            f"{prefix}.{'.'.join(full)}",
            ChangeKind.DELETE if action == "delete" else ChangeKind.SET,
        )
        parent_schema = field_in(root_schema, path)
        self.undo_map_key(event, live_map, key, parent_schema.fields if parent_schema else None)
        if schema is None:
            self.problem(f"unknown field {'.'.join(full)!r}")
        elif action != "delete":
            problem = conforms(plain(info.get("newValue")), schema)
            if problem:
                self.problem(f"{'.'.join(full)} {problem}")

    def undo_map_key(
        self, event: Event, live_map: LiveMap, key: str, fields: dict[str, Field] | None
    ) -> None:
        schema = fields.get(key) if fields else None

        later = event.target

        def undo() -> None:
            target: Map[Any] = later.get()
            before = live_map()
            if before is not None and key in before:
                target[key] = prelim(plain(before[key]), schema)
            elif key in target:
                del target[key]

        self.undo.append(undo)

    def text_change(
        self, event: Event, live_text: LiveText, path: str, schema: Field | None
    ) -> None:
        """Characters typed or deleted in a text: its path, plain text only, its length."""
        target = _Later(event.target)
        if self._only_typing():
            # Plain text whatever its delta says, and no undo needed unless refused. (A text
            # event that nets to nothing is recorded too: its delta is what would tell.)
            self.change(path, ChangeKind.EDIT)
            self.inspection.partial = True
            problem = target.too_long(schema.max_length) if schema is not None else None
            if problem:
                self.problem(f"{path} {problem}")
            return
        if not event.delta:
            return  # content added and removed in one transaction: nothing changed
        self.change(path, ChangeKind.EDIT)
        grew = False
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
                    self.problem(f"{path} holds plain text only")
                    inserted = " "
                size = len(inserted.encode())
                ops.append(partial(target.delete, post, size))
                post += size
                grew = True
            elif "delete" in op:
                ops.append(partial(target.reinsert, post, old, pre, op["delete"]))
                pre += op["delete"]
        # Right to left, so that each operation's offset is still valid when it runs.
        self.undo.extend(ops)
        if grew and schema is not None:
            problem = target.too_long(schema.max_length)
            if problem:
                self.problem(f"{path} {problem}")


class _Later:
    """Undo steps on an event's text, wrapped for pycrdt only if a refusal runs them."""

    __slots__ = ("_target",)

    def __init__(self, target: Target) -> None:
        self._target = target

    def delete(self, at: int, size: int) -> None:
        delete_range(self._target.get(), at, size)

    def reinsert(self, at: int, old: LazyBytes, start: int, size: int) -> None:
        reinsert(self._target.get(), at, old, start, size)

    def too_long(self, max_length: int) -> str | None:
        """Why the text is too long now, or None. Its length in UTF-8 bytes is known at once
        and never less than its length in characters: only a text that long is read."""
        text = self._target.get()
        if len(text) > max_length and len(str(text)) > max_length:
            return f"longer than {max_length} characters"
        return None
