"""The content a transition froze, held by the process that made it (server/workflow/pinning.py):
a change coming from another process is undone while the state lasts, and kept once the state
has moved on. In memory; across real processes: tests/test_processes_workflow.py."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from pycrdt import Doc, Map

from collab.sync import MemoryStore, Room, RoomRegistry
from server.invoices.documents import document_json
from server.workflow import pinning
from tests.harness import wait_until
from tests.test_room import registry

SUBMITTED = "the invoice is submitted: only drafts can be edited"


class _Elsewhere:
    """Other processes that hear nothing (the registry only needs to know they exist);
    `reachable` False plays Redis away."""

    def __init__(self) -> None:
        self.reachable = True

    def notice(self, doc_id: str, body: dict[str, object]) -> None: ...

    def frozen(self, doc_id: str, reason: str | None) -> None: ...


def _setting(room: Room, key: str, value: str) -> bytes:
    """An update from a client in step with `room` (as another process would relay it)."""
    client: Doc[Any] = Doc()
    client.apply_update(room.doc.get_update())
    before = client.get_state()
    client.get("invoice", type=Map)[key] = value
    return client.get_update(before)


async def _still() -> bool:
    return True  # the database still says submitted


async def _reopened() -> bool:
    return False  # the database says another state (the message saying so was lost)


async def _submitted(
    rooms: RoomRegistry,
    store: MemoryStore,
    still: pinning.Still = _still,
    others: _Elsewhere | None = None,
) -> tuple[Room, dict[str, Any]]:
    rooms.others = others or _Elsewhere()
    room = await rooms.acquire("inv")
    room.apply_server_change(_setting(room, "payment_terms", "as submitted"), user_id="u1")
    document = document_json(room.doc)
    room.frozen = SUBMITTED
    await pinning.hold(rooms, room, document, still)
    rooms.release(room)  # the transition's own hold ends; the pin keeps the room
    return room, document


async def test_a_late_change_from_another_process_is_undone_and_logged() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room, document = await _submitted(rooms, store)
        room.apply_remote(_setting(room, "payment_terms", "late"))
        assert room.doc.get("invoice", type=Map)["payment_terms"] == "late"
        await wait_until(lambda: document_json(room.doc) == document, what="the undo")
        await rooms.persister.flush(2)
        assert store.log["inv"][-1].user_id is None  # the server's change, in the history
        assert room.refs == 1  # held by the pin alone
        pinning._held["inv"].cancel()
        await wait_until(lambda: room.refs == 0, what="the pin's release")


async def test_once_the_state_moves_on_a_change_is_kept() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room, _ = await _submitted(rooms, store)
        room.frozen = None  # reopened by a transition made in another process
        room.apply_remote(_setting(room, "payment_terms", "after the reopening"))
        await wait_until(lambda: room.refs == 0, what="the pin to end")
        await asyncio.sleep(0.05)
        assert room.doc.get("invoice", type=Map)["payment_terms"] == "after the reopening"


async def test_when_the_database_says_the_state_changed_a_change_is_kept() -> None:
    """The message reopening the invoice did not reach this process: its room still says
    submitted, but the edits coming in are a reopened draft's, and the database says so."""
    store = MemoryStore()
    async with registry(store) as rooms:
        room, _ = await _submitted(rooms, store, _reopened)
        room.apply_remote(_setting(room, "payment_terms", "edited after the reopening"))
        await wait_until(lambda: room.refs == 0, what="the pin to end")
        assert room.doc.get("invoice", type=Map)["payment_terms"] == "edited after the reopening"


async def test_a_transition_to_an_editable_state_ends_the_pin() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room, _ = await _submitted(rooms, store)
        room.frozen = None  # reopened here: the transition pins (and so unpins) too
        await pinning.hold(rooms, room, document_json(room.doc), _still)
        await wait_until(lambda: room.refs == 0, what="the pin to end")
        assert "inv" not in pinning._held


async def test_with_one_process_nothing_is_pinned() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        room.frozen = SUBMITTED
        await pinning.hold(rooms, room, document_json(room.doc), _still)
        assert room.refs == 1 and "inv" not in pinning._held
        rooms.release(room)


@pytest.fixture
def short_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinning, "PIN_SECONDS", 0.4)
    monkeypatch.setattr(pinning, "_TICK_SECONDS", 0.02)


@pytest.mark.usefixtures("short_pins")
async def test_while_the_others_are_out_of_reach_the_pin_outlasts_its_time() -> None:
    """Redis away: late edits arrive with the reconciliation after it returns, so the pin's
    time only runs while the others can be reached."""
    store, others = MemoryStore(), _Elsewhere()
    async with registry(store) as rooms:
        others.reachable = False
        room, document = await _submitted(rooms, store, others=others)
        await asyncio.sleep(3 * pinning.PIN_SECONDS)
        assert room.refs == 1 and "inv" in pinning._held
        room.apply_remote(_setting(room, "payment_terms", "let in while Redis was away"))
        await wait_until(lambda: document_json(room.doc) == document, what="the undo")
        others.reachable = True
        back = time.monotonic()
        await wait_until(lambda: room.refs == 0, what="the pin to end")
        assert time.monotonic() - back >= pinning.PIN_SECONDS - 0.05
        room = await rooms.acquire("inv")
        room.apply_remote(_setting(room, "payment_terms", "after the pin"))
        await asyncio.sleep(0.1)
        assert room.doc.get("invoice", type=Map)["payment_terms"] == "after the pin"
        rooms.release(room)


@pytest.mark.usefixtures("short_pins")
async def test_a_pin_ends_at_its_cap_however_long_the_others_stay_away(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pinning, "PIN_MAX_SECONDS", 1.0)
    store, others = MemoryStore(), _Elsewhere()
    async with registry(store) as rooms:
        others.reachable = False
        started = time.monotonic()
        room, _ = await _submitted(rooms, store, others=others)
        with caplog.at_level(logging.WARNING, logger=pinning.__name__):
            await wait_until(lambda: room.refs == 0, what="the pin to end", timeout=5)
        assert 1.0 - 0.05 <= time.monotonic() - started < 3.0
        assert "stayed out of reach" in caplog.text
