"""The invoices table's derived columns under continuous editing: recorded a debounce after a
change, at most once per interval per room, and the last state always recorded in the end."""

from __future__ import annotations

import asyncio
import copy
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from collab.sync import Room
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.invoices.models import Invoice
from server.invoices.rooms import InvoiceRooms
from tests.databases import acme_member, invoice_registry, migrated_database

DEBOUNCE, INTERVAL = 0.05, 0.4
CONTENT = {
    "invoice": {"customer": {"name": "Client SA"}, "currency": "EUR"},
    "lines": [
        {
            "id": "a",
            "description": "Hosting",
            "quantity": "1",
            "unit_price": "10.00",
            "tax_rate": "20",
        }
    ],
    "adjustments": [],
}


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The loop times at which records of the derived columns started. The interval is kept
    between starts: timed at their end, a slow write on a busy machine (two test processes)
    shortened the next gap by its own length."""
    seen: list[float] = []
    record = InvoiceRooms._record

    async def started(self: InvoiceRooms, room: Room) -> None:
        seen.append(asyncio.get_running_loop().time())
        await record(self, room)

    monkeypatch.setattr(InvoiceRooms, "_record", started)
    return seen


async def test_a_room_edited_without_pause_is_recorded_once_per_interval_and_at_the_end(
    tmp_path: Path, records: list[float]
) -> None:
    async with migrated_database("sqlite", tmp_path) as url:
        engine = create_engine(url)
        made = sessions(engine)
        async with made.begin() as db:
            org, user = await acme_member(db)
            user_id, org_id = user.id, org.id
            invoice = await invoices.create_invoice(db, user_id=user_id, org_id=None)
            invoice_id = invoice.id
        rooms = InvoiceRooms(made, debounce=DEBOUNCE, interval=INTERVAL)
        async with invoice_registry(engine, rooms) as (_, registry):
            await asyncio.sleep(2 * DEBOUNCE)  # nothing to heal: the room is not open yet
            records.clear()
            content = copy.deepcopy(CONTENT)
            loop = asyncio.get_running_loop()
            started = loop.time()
            quantity = 0
            while loop.time() - started < 1.5:  # an edit every 20 ms for 1.5 s
                quantity += 1
                content["lines"][0]["quantity"] = str(quantity)  # type: ignore[index]
                await invoices.write_content(registry, invoice_id, content, user_id=user_id)
                await asyncio.sleep(0.02)
            await asyncio.sleep(INTERVAL + 2 * DEBOUNCE)
            async with made() as db:
                row = (
                    await db.execute(select(Invoice).where(Invoice.id == invoice_id))
                ).scalar_one()
            during = list(records)
            # An edit, then at once what the invoice list does first: the columns are current.
            content["lines"][0]["quantity"] = "1000"  # type: ignore[index]
            await invoices.write_content(registry, invoice_id, content, user_id=user_id)
            # Another organization's list leaves it waiting for its turn (a settle that finds
            # nothing of its orgs does not yield: no record can have run in between).
            recorded = len(records)
            await rooms.settle(["another-org"])
            recorded_by_another = len(records) - recorded
            await rooms.settle([org_id])
            async with made() as db:
                settled = await db.scalar(select(Invoice.gross).where(Invoice.id == invoice_id))
        await rooms.close()
        await engine.dispose()
    # 1.5 s of edits: at most one record per interval (plus the last), not one per debounce.
    assert 2 <= len(during) <= 1.5 / INTERVAL + 2, during
    gaps = [later - earlier for earlier, later in itertools.pairwise(during)]
    assert min(gaps) >= INTERVAL * 0.9, gaps
    # The last edit is in the columns: quantity x 10.00, VAT 20 % (worked by hand).
    net = Decimal(quantity) * Decimal("10.00")
    assert (row.net, row.tax, row.gross) == (
        f"{net:.2f}",
        f"{net * Decimal('0.20'):.2f}",
        f"{net * Decimal('1.20'):.2f}",
    )
    assert recorded_by_another == 0
    assert settled == "12000.00"  # 1000 x 10.00 + 20 % (by hand)
