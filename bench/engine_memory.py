"""Where memory goes over connect / edit / disconnect cycles in the sync engine alone.

Rooms over the in-memory store (no database, no HTTP), each cycle: load an invoice, join, one
edit, leave, unload. tracemalloc compares the heap after each round with the heap after a
warm-up and lists the biggest growers. The in-memory store keeps every update and snapshot, so
those grow by design; anything else growing round after round is a leak in the engine.

    .venv/bin/python -m bench.engine_memory --cycles 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tracemalloc
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.sync import Identity, Limits, MemoryStore
from collab.sync.protocol import encode_update
from tests.test_room import Connection, joined, registry

EDITOR = Identity("u-bench", "Bench", can_edit=True)


def _edit(n: int) -> bytes:
    doc: Doc[Any] = Doc()
    lines = doc.get("lines", type=Array)
    lines.append(Map({"id": f"l{n}", "description": Text("x" * 20), "unit_price": "1.00"}))
    return doc.get_update()


async def run(cycles: int, rounds: int, invoices: int = 200) -> None:
    store = MemoryStore()
    limits = Limits(room_idle_unload_seconds=0.0)
    async with registry(store, room_idle_unload_seconds=0.0) as rooms:

        async def cycle(n: int) -> None:
            room = await rooms.acquire(f"inv{n % invoices}")
            connection = Connection(room, EDITOR, limits)
            await joined(room, 1)
            connection.send(encode_update(_edit(n)))
            await asyncio.sleep(0)
            await connection.close()
            rooms.release(room)

        for n in range(2 * invoices):  # every invoice loaded once before measuring
            await cycle(n)
        await asyncio.sleep(0.5)
        gc.collect()
        tracemalloc.start(10)
        start = tracemalloc.take_snapshot()
        for r in range(rounds):
            for n in range(cycles):
                await cycle(n + 1_000_000 * (r + 1))
            await asyncio.sleep(0.5)
            gc.collect()
            grown = tracemalloc.take_snapshot().compare_to(start, "lineno")
            total = sum(stat.size_diff for stat in grown) / 1024
            print(f"round {r + 1}: +{total:.0f} KiB since warm-up, {len(rooms.rooms)} rooms loaded")
            for stat in grown[:5]:
                print("   ", stat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.cycles, args.rounds))


if __name__ == "__main__":
    main()
