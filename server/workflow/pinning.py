"""The content a transition froze, held against late edits made through other processes.

With several processes a transition (submit, approve, issue) freezes the invoice at once in the
process that makes it, and in the others a Redis hop later: at their next re-read of the states
(5 s) when that message is lost, or after Redis comes back when it is away. An edit one of them
accepts meanwhile reaches this process (through Redis, or the reconciliation when Redis
returns) and would change the live document after its content was bound or issued.

So the process that made the transition keeps the room loaded with the content it froze, and
undoes any late change as one server change: logged, fanned out to every process, the history
showing both. Only that process undoes. The others doing the same would each re-insert what the
late edit deleted (one copy per process).

The pin lasts `PIN_SECONDS` counted while the other processes can be reached: while Redis is
away, late edits pile up unheard on both sides and arrive with the reconciliation after it
returns, so the pin waits for that. `PIN_MAX_SECONDS` bounds it all the same: each pin keeps
an invoice loaded, and an outage may outlast many transitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.sync import LoadError, Room, RoomRegistry
from server.invoices import service as invoices

log = logging.getLogger(__name__)

# Longer than a state's slowest way to the other processes while Redis works (their re-read,
# 5 s) and than the reconciliation after it returns (at once, then every 5 s).
PIN_SECONDS = 120.0
PIN_MAX_SECONDS = 3600.0  # however long Redis stays away
_TICK_SECONDS = 1.0  # how often the pin's clock looks whether Redis can be reached

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
    frozen, others = room.frozen, registry.others
    if frozen is None or others is None:  # one process: nothing comes in late
        return
    try:
        room = await registry.acquire(room.doc_id)  # kept loaded; released by the task
    except LoadError:  # shutting down: the clients are being handed over anyway
        return
    task = asyncio.create_task(_pinned(room, document, frozen, still, lambda: others.reachable))
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


class _Clock:
    """`PIN_SECONDS` counted only while the other processes can be reached, and at most
    `PIN_MAX_SECONDS` in all."""

    def __init__(self, reachable: Callable[[], bool]) -> None:
        self._reachable = reachable
        self._left = PIN_SECONDS
        self._at = self._start = asyncio.get_running_loop().time()
        self.capped = False  # the pin ended at PIN_MAX_SECONDS, the others still unreachable

    async def wait(self, changed: asyncio.Event) -> bool:
        """Wait for `changed`; False once the pin's time is up."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(_TICK_SECONDS, max(self._left, 0.0))):
                    await changed.wait()
            now = asyncio.get_running_loop().time()
            if self._reachable():
                self._left -= now - self._at
            self._at = now
            self.capped = self._left > 0 and now - self._start >= PIN_MAX_SECONDS
            if self._left <= 0 or self.capped:
                return False
            if changed.is_set():
                return True


async def _pinned(
    room: Room,
    document: dict[str, Any],
    frozen: str,
    still: Still,
    reachable: Callable[[], bool],
) -> None:
    changed = asyncio.Event()

    def listener(_: Room) -> None:
        changed.set()  # checked by the task, not inside the room's apply

    room.listeners.append(listener)
    clock = _Clock(reachable)
    try:
        while room.frozen == frozen:  # a new state (reopened, a later transition) ends it
            if invoices.document_json(room.doc) != document:
                if not await still():
                    return  # changed elsewhere: these may be edits of a reopened draft
                if room.frozen == frozen and invoices.reset_content(room, document):
                    log.warning(
                        "invoice %s: undid an edit let in after it became %s", room.doc_id, frozen
                    )
            if not await clock.wait(changed):
                break
            changed.clear()
        if clock.capped:
            log.warning(
                "invoice %s: no longer held as %s: the other processes stayed out of reach for"
                " %d s; an edit they let in from now on stays in the live view",
                room.doc_id,
                frozen,
                PIN_MAX_SECONDS,
            )
    except Exception:  # the database unreachable, say: undoing nothing is the safe side
        log.exception("invoice %s: holding its frozen content failed; no longer held", room.doc_id)
    finally:
        room.listeners.remove(listener)
