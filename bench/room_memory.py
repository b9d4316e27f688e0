"""Memory of a loaded invoice without its connections: the room, its document and presence.

Run: .venv/bin/python bench/room_memory.py [--rooms N]

Loads N small invoices (header, customer, 5 lines) into a registry backed by the in-memory store,
in this process, and prints the RSS growth per room: once as loaded, and once after an edit has
built the room's shadow copy for update inspection. bench/run.py's figure adds one connection
(socket, ASGI objects, peer queue and tasks) on top.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
from typing import Any

import psutil
from pycrdt import Array, Doc, Map, Text

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Limits, LogEntry, MemoryStore, Persister, RoomRegistry


def small_invoice() -> bytes:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    header["due_date"] = "2026-12-31"
    header["customer"] = Map({"name": "Lumière SARL", "address": Map({"city": "Lyon"})})
    lines = doc.get("lines", type=Array)
    for i in range(5):
        lines.append(
            Map({"id": f"l{i}", "description": Text(f"Consulting day {i}"), "quantity": "1"})
        )
    return doc.get_update()


def edit(base: bytes) -> bytes:
    client: Doc[Any] = Doc()
    client.apply_update(base)
    captured: list[bytes] = []
    client.observe(lambda event: captured.append(event.update))
    client.get("invoice", type=Map)["payment_terms"] = "Net 30"
    return captured[0]


def rss_kib() -> float:
    gc.collect()
    rss: int = psutil.Process().memory_info().rss
    return rss / 1024


async def main(rooms: int) -> None:
    base = small_invoice()
    store = MemoryStore()
    for i in range(rooms + 5):
        store.log[f"inv-{i}"] = [LogEntry(f"inv-{i}", 1, base, "u", 0.0)]
    async with (
        Persister(store) as persister,
        RoomRegistry(
            store, persister, Limits(room_idle_unload_seconds=3600), shape=INVOICE_SHAPE
        ) as registry,
    ):
        for i in range(5):  # warm-up: first-use allocations are not per room
            await registry.acquire(f"inv-{rooms + i}")
        before = rss_kib()
        loaded = [await registry.acquire(f"inv-{i}") for i in range(rooms)]
        after_load = rss_kib()
        update = edit(base)
        for room in loaded:
            room._inspector.inspect(update)  # builds the shadow, as the first edit does
        after_edit = rss_kib()
    print(f"{rooms} small invoices loaded, no connection:")
    print(f"  loaded, never edited   {(after_load - before) / rooms:6.1f} KiB per room")
    print(f"  after an edit (shadow) {(after_edit - before) / rooms:6.1f} KiB per room")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, default=500)
    asyncio.run(main(parser.parse_args().rooms))
