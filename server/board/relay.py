"""Who is in which invoice on the other processes, for the board (docs/board.md, "Several
processes").

Each process publishes a summary of an invoice's presence (its id, its organization when known,
the users as `Room.present_users()` stamps them) when someone comes in or leaves, and keeps the
summaries it hears per (process, invoice). The bus is at-most-once, so summaries are repaired
rather than trusted: a process sends all of its summaries again, marked `full` (replacing what
the others held of it), when another process appears and when its own connection to Redis comes
back, asking the others (`ask`) for theirs; a process gone silent loses its summaries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeGuard

from collab.sync import Room, RoomRegistry
from server.core.bus import Bus

log = logging.getLogger(__name__)

CHANNEL = "board.presence"
# Avatars on one card: a board shows a handful, so one process's summary of an invoice is
# bounded whatever its room holds.
MAX_USERS = 50
# Invoices one other process may have people in: well above what a process keeps loaded.
MAX_INVOICES = 20_000
_BATCH = 200  # invoices per message when sending them all: messages stay a few tens of KB
_ID_CHARS = 64  # user, invoice and organization ids are 36 characters
_NAME_CHARS = 200  # a user's name is at most 200 characters (server/auth/models.py)
_COLOUR_CHARS = 32
_REPAIR_DELAY = 0.05  # a newcomer's hello and its ask arrive together: answer them once

User = tuple[str, str, str]  # (id, name, colour)
Changed = Callable[[str | None, str], None]  # (org id or None, invoice id)


class RemotePresence:
    """The other processes' presence summaries, and this process's sent to them."""

    def __init__(self, bus: Bus, registry: RoomRegistry, *, changed: Changed) -> None:
        self._bus = bus
        self._registry = registry
        self._changed = changed  # marks a card whose remote presence moved
        # process id -> invoice id -> (org id, users); only invoices with someone in them.
        self._remote: dict[str, dict[str, tuple[str | None, tuple[User, ...]]]] = {}
        self._dirty: dict[str, Room] = {}  # rooms to summarise at the end of this loop turn
        self._repair: asyncio.TimerHandle | None = None
        self._ask_next = False
        bus.subscribe(CHANNEL, self._heard)
        bus.on_connected.append(self._reconnected)
        bus.on_process_seen.append(self._newcomer)
        bus.on_process_gone.append(self._gone)

    def close(self) -> None:
        self._bus.unsubscribe(CHANNEL)
        self._bus.on_connected.remove(self._reconnected)
        self._bus.on_process_seen.remove(self._newcomer)
        self._bus.on_process_gone.remove(self._gone)
        if self._repair is not None:
            self._repair.cancel()

    # -- read by the board ----------------------------------------------------------------

    def users(self, invoice_ids: Collection[str] | None) -> dict[str, list[dict[str, str]]]:
        """The users in each invoice on the other processes, shaped as `Room.present_users()`
        gives them, each once, in process order."""
        found: dict[str, dict[str, dict[str, str]]] = {}
        for process in sorted(self._remote):
            held = self._remote[process]
            ids: Iterable[str] = held if invoice_ids is None else invoice_ids
            for invoice_id in ids:
                summary = held.get(invoice_id)
                if summary is None:
                    continue
                people = found.setdefault(invoice_id, {})
                for user_id, name, colour in summary[1]:
                    people.setdefault(user_id, {"id": user_id, "name": name, "color": colour})
        return {invoice_id: list(people.values()) for invoice_id, people in found.items()}

    # -- this process's presence ----------------------------------------------------------

    def room_changed(self, room: Room) -> None:
        """A listener of the registry's presence: someone came into or left `room` here."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self._publish_dirty)
        self._dirty[room.doc_id] = room

    def _publish_dirty(self) -> None:
        rooms, self._dirty = list(self._dirty.values()), {}
        for start in range(0, len(rooms), _BATCH):
            self._publish([_summary(room) for room in rooms[start : start + _BATCH]])

    def _publish_all(self, *, ask: bool) -> None:
        summaries = [s for s in map(_summary, self._registry.rooms) if s["users"]]
        for start in range(0, max(len(summaries), 1), _BATCH):
            # The first message replaces what the others held of this process: who left while
            # a message was lost is gone from their boards too.
            first = start == 0
            self._publish(summaries[start : start + _BATCH], full=first, ask=ask and first)

    def _publish(
        self, summaries: list[dict[str, Any]], *, full: bool = False, ask: bool = False
    ) -> None:
        message: dict[str, Any] = {"invoices": summaries}
        if full:
            message["full"] = True
        if ask:
            message["ask"] = True
        self._bus.publish(CHANNEL, json.dumps(message, separators=(",", ":")).encode())

    # -- repair ---------------------------------------------------------------------------

    def _reconnected(self) -> None:
        """Back on Redis (or on it for the first time): whatever was lost meanwhile, both ways,
        is sent again."""
        self._schedule_repair(ask=True)

    def _newcomer(self, _process: str) -> None:
        self._schedule_repair(ask=False)

    def _schedule_repair(self, *, ask: bool) -> None:
        self._ask_next = self._ask_next or ask
        if self._repair is None:
            loop = asyncio.get_running_loop()
            self._repair = loop.call_later(_REPAIR_DELAY, self._send_repair)

    def _send_repair(self) -> None:
        self._repair = None
        ask, self._ask_next = self._ask_next, False
        self._publish_all(ask=ask)

    def _gone(self, process: str) -> None:
        for invoice_id, (org_id, _users) in self._remote.pop(process, {}).items():
            self._changed(org_id, invoice_id)

    # -- the other processes' presence ----------------------------------------------------

    def _heard(self, process: str, payload: bytes) -> None:
        message = _message(payload)
        if message is None:
            log.warning("dropped a malformed presence message from process %s", process)
            return
        summaries, full, ask = message
        stored = self._remote.get(process, {})
        if full:  # everything the process has: what it no longer lists is gone
            before, held = stored, {}
        else:
            before, held = {i: stored[i] for i in summaries if i in stored}, stored
        for invoice_id, summary in summaries.items():
            if not summary[1]:
                held.pop(invoice_id, None)
            elif invoice_id in held or len(held) < MAX_INVOICES:
                held[invoice_id] = summary
            else:
                log.warning("process %s has people in over %d invoices", process, MAX_INVOICES)
        if held:
            self._remote[process] = held
        else:
            self._remote.pop(process, None)
        for invoice_id in before.keys() | summaries.keys():
            old, new = before.get(invoice_id), held.get(invoice_id)
            if (old[1] if old else ()) != (new[1] if new else ()):
                self._changed((new or old or (None, ()))[0], invoice_id)
        if ask:
            self._schedule_repair(ask=False)


def _summary(room: Room) -> dict[str, Any]:
    users = [
        {"id": u["id"], "name": u.get("name", ""), "color": u.get("color", "")}
        for u in room.present_users()[:MAX_USERS]
    ]
    # The room does not know its organization: the receiving board reads it from the database.
    return {"id": room.doc_id, "org": None, "users": users}


def _message(
    payload: bytes,
) -> tuple[dict[str, tuple[str | None, tuple[User, ...]]], bool, bool] | None:
    """The summaries of a presence message by invoice, whether it is `full` and asks; None
    when it is not one (a process of another version, a bug): the caller logs and drops it."""
    try:
        message = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    invoices, full, ask = message.get("invoices"), message.get("full"), message.get("ask")
    if not isinstance(invoices, list) or len(invoices) > _BATCH:
        return None
    if full not in (None, True) or ask not in (None, True):
        return None
    summaries: dict[str, tuple[str | None, tuple[User, ...]]] = {}
    for item in invoices:
        if not isinstance(item, dict):
            return None
        invoice_id, org_id, users = item.get("id"), item.get("org"), item.get("users")
        if not _text(invoice_id, _ID_CHARS) or not (org_id is None or _text(org_id, _ID_CHARS)):
            return None
        if not isinstance(users, list) or len(users) > MAX_USERS:
            return None
        people: list[User] = []
        for user in users:
            if not isinstance(user, dict):
                return None
            user_id, name, colour = user.get("id"), user.get("name"), user.get("color")
            if not (
                _text(user_id, _ID_CHARS)
                and _text(name, _NAME_CHARS, empty=True)
                and _text(colour, _COLOUR_CHARS, empty=True)
            ):
                return None
            people.append((user_id, name, colour))
        summaries[invoice_id] = (org_id, tuple(people))
    return summaries, full is True, ask is True


def _text(value: object, limit: int, *, empty: bool = False) -> TypeGuard[str]:
    return isinstance(value, str) and (empty or value != "") and len(value) <= limit
