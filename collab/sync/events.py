"""Deep observation of the shadow's roots, with events read only as far as the inspection needs.

pycrdt's `observe_deep` converts every event before the callback runs: it reads each attribute
from Yrs (the changed type, wrapped; the keys or the delta, every shared value in them wrapped;
the transaction) whether the callback uses it or not. The inspection reads the path and the
keys of most events, and the changed type only to undo a refused update: wrapping it costs
1.8 us an event for nothing on the accepted path. (Most of what py-spy showed under pycrdt's
conversion, a tenth of the server's samples at 1,600 updates/s, is Yrs computing deltas, which
the inspection still reads: docs/benchmarks.md.)

`Event` reads each attribute from Yrs when first asked and wraps shared values the way pycrdt
does (`process_event`); the changed type is wrapped only when an undo uses it. As with pycrdt,
the callback runs inside a read transaction of the document, and its exceptions are raised by
the transaction that applied the update. These are pycrdt's private parts, pinned by
pyproject.toml (<0.15); tests/test_inspect_events.py holds them to pycrdt's own events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map
from pycrdt._base import process_event
from pycrdt._pycrdt import ArrayEvent as _ArrayEvent
from pycrdt._pycrdt import MapEvent as _MapEvent
from pycrdt._pycrdt import TextEvent as _TextEvent

_KINDS: dict[type, str] = {_MapEvent: "map", _TextEvent: "text", _ArrayEvent: "array"}


class Event:
    """One change of a shared type below an observed root. Each attribute is read from Yrs
    once, when first asked."""

    __slots__ = ("_delta", "_doc", "_keys", "_path", "_raw", "kind")

    def __init__(self, raw: Any, doc: Doc[Any]) -> None:
        self._raw = raw
        self._doc = doc
        self.kind = _KINDS.get(type(raw), "other")  # "map", "text", "array" or "other"
        self._path: list[int | str] | None = None
        self._keys: dict[str, dict[str, Any]] | None = None
        self._delta: list[dict[str, Any]] | None = None

    @property
    def path(self) -> list[int | str]:
        """Where the changed type is, from the observed root: keys and indices."""
        if self._path is None:
            self._path = self._raw.path
        return self._path

    @property
    def keys(self) -> dict[str, dict[str, Any]]:
        """A map's changed keys: {"action": ..., "oldValue": ..., "newValue": ...} each."""
        if self._keys is None:
            self._keys = process_event(self._raw.keys, self._doc)
        return self._keys

    @property
    def delta(self) -> list[dict[str, Any]]:
        """A text's or an array's changes as retain / insert / delete operations."""
        if self._delta is None:
            self._delta = process_event(self._raw.delta, self._doc)
        return self._delta

    @property
    def target(self) -> Target:
        """The changed type (read now: an event is only valid during the callback)."""
        return Target(self._raw.target, self._doc)


class Target:
    """A changed type, wrapped as pycrdt's `Map`, `Text` or `Array` only when used (most
    never are: only a refusal's undo changes them)."""

    __slots__ = ("_doc", "_raw")

    def __init__(self, raw: Any, doc: Doc[Any]) -> None:
        self._raw = raw
        self._doc = doc

    def get(self) -> Any:
        return process_event(self._raw, self._doc)


def observe_deep(shared: Map[Any] | Array[Any], callback: Callable[[list[Event]], None]) -> None:
    """Call `callback` with the events of each transaction that changes `shared` or anything
    below it, for as long as `shared` lives."""
    doc = shared.doc

    def on_events(raw: list[Any]) -> None:
        with doc._read_transaction(raw[0].transaction):
            try:
                callback([Event(event, doc) for event in raw])
            except Exception as exc:  # raised by the transaction, as pycrdt's observers do
                doc._exceptions.append(exc)

    shared._subscriptions.append(shared.integrated.observe_deep(on_events))
