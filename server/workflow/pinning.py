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
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.sync import LoadError, Room, RoomRegistry
from server.invoices import service as invoices

log = logging.getLogger(__name__)

# Longer than a state's slowest way to the other processes while Redis works (their re-read,
# 5 s), with room for Redis to come back from a short outage.
PIN_SECONDS = 120.0

_held: dict[str, asyncio.Task[None]] = {}  # invoice -> its pin, the latest transition's


Still = Callable[[], Awaitable[bool]]  # whether the database still says the frozen state


async def hold(registry: RoomRegistry, room: Room, document: dict[str, Any], still: Still) -> None:
    """Keep `room` at `document`, what a transition just made of it, while its state stays
    the one frozen now (`room.frozen`). Any later transition of this process ends this pin
    (and pins again if its state is frozen too); one made elsewhere ends it once its state has
    reached this process, or when `still` (asked before each undo: `status_is`) says the
    database left it (the message reopening the invoice may be the one that was lost)."""
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
    task = asyncio.create_task(_pinned(room, document, frozen, still))
    _held[room.doc_id] = task
    # Here, not in the task: a task cancelled before it starts never runs its `finally`.
    task.add_done_callback(lambda done: _unpinned(registry, room, done))


async def status_is(
    sessions: async_sessionmaker[AsyncSession], invoice_id: str, status: str
) -> bool:
    """Whether the database says `invoice_id` is in `status` (a pin's `still`)."""
    async with sessions() as db:
        return (await invoices.get(db, invoice_id)).status == status


def _unpinned(registry: RoomRegistry, room: Room, task: asyncio.Task[None]) -> None:
    if _held.get(room.doc_id) is task:
        del _held[room.doc_id]
    if not registry.handing_over:
        registry.release(room)


async def _pinned(room: Room, document: dict[str, Any], frozen: str, still: Still) -> None:
    changed = asyncio.Event()

    def listener(_: Room) -> None:
        changed.set()  # checked by the task, not inside the room's apply

    room.listeners.append(listener)
    try:
        async with asyncio.timeout(PIN_SECONDS):
            while room.frozen == frozen:  # a new state (reopened, a later transition) ends it
                if invoices.document_json(room.doc) != document:
                    if not await still():
                        return  # changed elsewhere: these may be edits of a reopened draft
                    if room.frozen == frozen and invoices.reset_content(room, document):
                        log.warning(
                            "invoice %s: undid an edit let in after it became %s",
                            room.doc_id,
                            frozen,
                        )
                await changed.wait()
                changed.clear()
    except TimeoutError:
        pass
    except Exception:  # the database unreachable, say: undoing nothing is the safe side
        log.exception("invoice %s: holding its frozen content failed; no longer held", room.doc_id)
    finally:
        room.listeners.remove(listener)
