"""An invoice room's edit rule follows the database: set up from the invoice's row while the
log loads, and read again when a message about it may have been lost (`InvoiceRooms.recheck`,
called by the cluster). The two-process version, with Redis away, is in
tests/test_several_processes.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from collab.sync import Room, RoomRegistry
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.invoices.models import Invoice
from server.invoices.rooms import RECHECK_BATCH_SECONDS, InvoiceRooms
from tests.databases import acme_member, invoice_registry, migrated_database
from tests.harness import wait_for

SUBMITTED = "the invoice is submitted: only drafts can be edited"
APPROVED = "the invoice is approved: only drafts can be edited"
PAUSED = "the invoice is changing state (issue): editing is paused"


@dataclass
class Setting:
    rooms: InvoiceRooms
    registry: RoomRegistry
    invoice_ids: list[str]

    async def set_status(self, invoice_id: str, status: str) -> None:
        """What a transition made by another process leaves in the database."""
        async with self.rooms._sessions.begin() as db:
            await db.execute(update(Invoice).where(Invoice.id == invoice_id).values(status=status))

    async def rechecked(self, *rooms: Room) -> None:
        self.rooms.recheck(rooms)
        await asyncio.sleep(RECHECK_BATCH_SECONDS)
        await wait_for(self._idle, what="the recheck to end")

    async def _idle(self) -> bool:
        return self.rooms._rechecking is None


@asynccontextmanager
async def setting(tmp_path: Path, count: int) -> AsyncIterator[Setting]:
    async with migrated_database("sqlite", tmp_path) as url:
        engine = create_engine(url)
        made = sessions(engine)
        async with made.begin() as db:
            _, user = await acme_member(db)
            ids = [
                (await invoices.create_invoice(db, user_id=user.id, org_id=None)).id
                for _ in range(count)
            ]
        rooms = InvoiceRooms(made)
        try:
            async with invoice_registry(engine, rooms) as (_, registry):
                yield Setting(rooms, registry, ids)
        finally:
            await rooms.close()
            await engine.dispose()


async def test_a_room_is_set_up_from_its_invoice_row(tmp_path: Path) -> None:
    async with setting(tmp_path, 2) as s:
        await s.set_status(s.invoice_ids[1], "submitted")
        draft, submitted = [await s.registry.acquire(i) for i in s.invoice_ids]
        assert (draft.frozen, submitted.frozen) == (None, SUBMITTED)


async def test_a_recheck_applies_the_states_a_lost_message_did_not_bring(tmp_path: Path) -> None:
    async with setting(tmp_path, 3) as s:
        rooms = [await s.registry.acquire(i) for i in s.invoice_ids]
        for invoice_id in s.invoice_ids:
            await s.set_status(invoice_id, "submitted")
        await s.rechecked(*rooms)  # the three in one batch
        assert [room.frozen for room in rooms] == [SUBMITTED] * 3
        # Back to draft (reopened elsewhere): editable again.
        await s.set_status(s.invoice_ids[0], "draft")
        await s.rechecked(rooms[0])
        assert rooms[0].frozen is None


async def test_a_recheck_leaves_a_pause_and_what_changed_while_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with setting(tmp_path, 2) as s:
        paused, raced = [await s.registry.acquire(i) for i in s.invoice_ids]
        # A transition under way in this process: its pause stands until it ends.
        paused.frozen = PAUSED
        for invoice_id in s.invoice_ids:
            await s.set_status(invoice_id, "submitted")
        # The room's own word (from Redis) arrives while the rows are read: it is newer.
        read = s.rooms._sessions

        @asynccontextmanager
        async def word_arrives_meanwhile() -> AsyncIterator[Any]:
            async with read() as db:
                execute = db.execute

                async def then_the_word(*args: Any, **kwargs: Any) -> Any:
                    result = await execute(*args, **kwargs)
                    raced.frozen = APPROVED
                    return result

                monkeypatch.setattr(db, "execute", then_the_word)
                yield db

        monkeypatch.setattr(s.rooms, "_sessions", word_arrives_meanwhile)
        await s.rechecked(paused, raced)
        assert (paused.frozen, raced.frozen) == (PAUSED, APPROVED)
