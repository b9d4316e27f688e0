"""Loaded by a server started by bench/parts.py: turns off the parts named in PARTS_OFF, so that
the difference in CPU says what each costs. Analysis only: a server in this state does not
persist, check or relay what it should."""

from __future__ import annotations

import builtins
import os
import sys
from typing import Any

_OFF = set(filter(None, os.environ.get("PARTS_OFF", "").split(",")))

if "uvloop" in _OFF:
    sys.modules["uvloop"] = None  # type: ignore[assignment]  # uvicorn falls back to asyncio


def _turn_off() -> None:
    from collab.sync.inspect import UpdateInspector
    from collab.sync.inspect_edits import Inspection
    from collab.sync.persister import Persister
    from collab.sync.room import Room
    from server.invoices.rooms import InvoiceRooms

    if "persist" in _OFF:
        Persister.append = lambda self, entry: None  # type: ignore[method-assign]
    if "columns" in _OFF:
        InvoiceRooms._changed = lambda self, org_id, room: None  # type: ignore[method-assign]
    if "inspect" in _OFF:

        def unread(self: UpdateInspector, update: bytes, *, full: bool = False) -> Inspection:
            return Inspection()

        UpdateInspector.inspect = unread  # type: ignore[method-assign]
        UpdateInspector.accept = lambda self: None  # type: ignore[method-assign]
    if "awareness" in _OFF:
        receive = Room.receive

        def without_awareness(self: Room, peer: Any, frame: bytes) -> None:
            if frame[:1] != b"\x01":  # y-websocket's awareness message type
                receive(self, peer, frame)

        Room.receive = without_awareness  # type: ignore[method-assign]


if _OFF - {"uvloop"}:
    _import = builtins.__import__
    _done = False

    def _hook(name: str, *args: Any, **kwargs: Any) -> Any:
        global _done
        module = _import(name, *args, **kwargs)
        if not _done and hasattr(sys.modules.get("server.core.app"), "create_app"):
            _done = True
            _turn_off()
        return module

    builtins.__import__ = _hook
