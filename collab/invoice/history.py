"""An invoice's timeline: which field paths an update changed, from what to what, and the
grouping of one person's consecutive edits of one field (typing) into one entry.

Pure: it compares plain (to_py) values. Replaying the update log into documents is the server's
part (server/invoices/history.py); this module only sees what each update changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from collab.invoice.document import INVOICE_SHAPE, ROOT_INVOICE

# Edits of one field by one person further apart than this are separate entries, even with
# nothing in between: coming back to a field an hour later is a new change, not the same typing.
TYPING_PAUSE_SECONDS = 300.0


class ChangeKind(StrEnum):
    CHANGED = "changed"  # a field's value replaced or edited
    ADDED = "added"  # a field set for the first time, or a row added (`lines.<id>`)
    REMOVED = "removed"  # a field removed, or a row deleted


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    before: Any  # a plain value (a string, a line as a dict), None when absent
    after: Any

    @property
    def kind(self) -> ChangeKind:
        if self.before is None:
            return ChangeKind.ADDED
        return ChangeKind.REMOVED if self.after is None else ChangeKind.CHANGED


def map_changes(prefix: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The leaf fields that differ between two plain maps, as `prefix.key.subkey` paths."""
    found: list[Change] = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        path = f"{prefix}.{key}"
        if isinstance(old, dict) or isinstance(new, dict):
            # A nested map (customer, address, discount) is reported field by field; a map
            # replacing a plain value (or the reverse) still is, against an empty side.
            found += map_changes(
                path, old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
            )
        else:
            found.append(Change(path, old, new))
    return found


def header_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    return map_changes(ROOT_INVOICE, before, after)


def row_changes(
    root: str, row_id: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[Change]:
    """A row of a collection (a line, an allowance or charge) added or removed is one change of
    `<root>.<id>` (`lines.l1`, `adjustments.a1`); a kept row, its fields."""
    rows = INVOICE_SHAPE.collection(root)
    if rows is None:
        raise ValueError(f"{root!r} is not a row collection of the invoice")
    path = f"{root}.{row_id}"
    if before is None and after is None:
        return []
    if before is None or after is None:
        return [Change(path, dict(before) if before else None, dict(after) if after else None)]
    old = {k: v for k, v in before.items() if k != rows.row_id}
    new = {k: v for k, v in after.items() if k != rows.row_id}
    return map_changes(path, old, new)


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """What one log entry changed: its seq, author, time (epoch seconds) and changes."""

    seq: int
    author: str | None
    at: float
    changes: list[Change]


@dataclass(slots=True)
class Entry:
    """One line of the timeline: a change, or a run of one person's edits of one field."""

    path: str
    before: Any
    after: Any
    author: str | None
    first_seq: int
    seq: int  # of the last update in the entry: the timeline's order and page cursor
    first_at: float
    at: float
    updates: int = 1

    @property
    def kind(self) -> ChangeKind:
        return Change(self.path, self.before, self.after).kind


@dataclass
class TimelineBuilder:
    """Feed it the log's changes in seq order; `entries()` is the grouped timeline."""

    pause: float = TYPING_PAUSE_SECONDS
    _entries: list[Entry] = field(default_factory=list)
    _latest: dict[str, Entry] = field(default_factory=dict)  # the last entry of each path
    _last_path: dict[str | None, str | None] = field(default_factory=dict)  # per author

    def add(self, logged: LoggedChange) -> None:
        if not logged.changes:
            return  # e.g. a compensation of a refused update: the content did not change
        single = logged.changes[0].path if len(logged.changes) == 1 else None
        if single is not None and self._extends(logged, single):
            entry = self._latest[single]
            entry.after = logged.changes[0].after
            entry.seq, entry.at = logged.seq, logged.at
            entry.updates += 1
        else:
            for change in logged.changes:
                entry = Entry(
                    change.path,
                    change.before,
                    change.after,
                    logged.author,
                    logged.seq,
                    logged.seq,
                    logged.at,
                    logged.at,
                )
                self._entries.append(entry)
                self._latest[change.path] = entry
        self._last_path[logged.author] = single

    def _extends(self, logged: LoggedChange, path: str) -> bool:
        """The same person's next edit of the field they were editing, nobody else's in between."""
        entry = self._latest.get(path)
        return (
            entry is not None
            and logged.author is not None
            and entry.author == logged.author
            and self._last_path.get(logged.author) == path
            and entry.kind is not ChangeKind.REMOVED
            and not _is_row(path)  # a row added or removed stays its own entry
            and logged.at - entry.at <= self.pause
        )

    def entries(self) -> list[Entry]:
        """Oldest first by their last update; typing that came back to where it started is
        left out (nothing changed)."""
        kept = [e for e in self._entries if e.before != e.after]
        return sorted(kept, key=lambda e: (e.seq, e.path))


def _is_row(path: str) -> bool:
    parts = path.split(".")
    return len(parts) == 2 and INVOICE_SHAPE.collection(parts[0]) is not None


def timeline(
    changes: Iterable[LoggedChange], *, pause: float = TYPING_PAUSE_SECONDS
) -> list[Entry]:
    builder = TimelineBuilder(pause=pause)
    for logged in changes:
        builder.add(logged)
    return builder.entries()


def page(entries: list[Entry], *, before: int | None, limit: int) -> tuple[list[Entry], int | None]:
    """Newest first, those older than seq `before`, at most `limit` (a page never splits the
    entries of one update, unless one update alone exceeds the limit); and the next cursor."""
    older = [e for e in reversed(entries) if before is None or e.seq < before]
    if len(older) <= limit:
        return older, None
    cut = limit
    while cut > 0 and older[cut].seq == older[cut - 1].seq:
        cut -= 1
    if cut == 0:  # one update with more changes than a page: give it whole
        cut = limit
        while cut < len(older) and older[cut].seq == older[cut - 1].seq:
            cut += 1
    chosen = older[:cut]
    return chosen, (chosen[-1].seq if cut < len(older) else None)
