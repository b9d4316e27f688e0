"""The content a transition froze, held against late edits made through other processes.

With several processes a transition (submit, approve, issue) freezes the invoice at once in the
process that makes it, and in the others a Redis hop later: at their next re-read of the states
(5 s) when that message is lost, or after Redis comes back when it is away. An edit one of them
accepts meanwhile reaches this process (through Redis, or the reconciliation when Redis
returns) and would change the live document after its content was bound or issued.

So the process that made the transition keeps the room loaded for `PIN_SECONDS` with the
content it froze, and undoes any late change as one server change: logged, fanned out to every
process, the history showing both. Only that process undoes. The others doing the same would
each re-insert what the late edit deleted (one copy per process).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from collab.sync import LoadError, Room, RoomRegistry
from server.invoices import service as invoices

log = logging.getLogger(__name__)

# Longer than a state's slowest way to the other processes while Redis works (their re-read,
# 5 s), with room for Redis to come back from a short outage.
PIN_SECONDS = 120.0

_held: dict[str, asyncio.Task[None]] = {}  # invoice -> its pin, the latest transition's


async def hold(registry: RoomRegistry, room: Room, document: dict[str, Any]) -> None:
    """Keep `room` at `document`, what the transition just made of it, while its state stays
    the one frozen now (`room.frozen`). Any later transition of this process ends this pin
    (and pins again if its state is frozen too); one made elsewhere ends it at the room's next
    change, once its state has reached this process."""
    previous = _held.pop(room.doc_id, None)
    if previous is not None:
        previous.cancel()
    frozen = room.frozen
    if frozen is None or registry.others is None:  # one process: nothing comes in late
        return
    try:
        room = await registry.acquire(room.doc_id)  # kept loaded; released by the task
    except LoadError:  # shutting down: the clients are being handed over anyway
        return
    task = asyncio.create_task(_pinned(room, document, frozen))
    _held[room.doc_id] = task
    # Here, not in the task: a task cancelled before it starts never runs its `finally`.
    task.add_done_callback(lambda done: _unpinned(registry, room, done))


def _unpinned(registry: RoomRegistry, room: Room, task: asyncio.Task[None]) -> None:
    if _held.get(room.doc_id) is task:
        del _held[room.doc_id]
    if not registry.handing_over:
        registry.release(room)


async def _pinned(room: Room, document: dict[str, Any], frozen: str) -> None:
    changed = asyncio.Event()

    def listener(_: Room) -> None:
        changed.set()  # checked by the task, not inside the room's apply

    room.listeners.append(listener)
    try:
        async with asyncio.timeout(PIN_SECONDS):
            while room.frozen == frozen:  # a new state (reopened, a later transition) ends it
                _restore(room, document)
                await changed.wait()
                changed.clear()
    except TimeoutError:
        pass
    finally:
        room.listeners.remove(listener)


def _restore(room: Room, document: dict[str, Any]) -> None:
    frozen = room.frozen
    if invoices.reset_content(room, document):
        log.warning(
            "invoice %s: an edit accepted elsewhere once %r was undone", room.doc_id, frozen
        )
