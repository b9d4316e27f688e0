"""The server's share of a cold load, seen from a client that does nothing else.

bench/coldload.py times connect -> synced with the Yjs client of the load generator, which then
applies the 142 KB state: its own work (and, for the first big update of a process, its JIT)
is in that figure. This client speaks the sync protocol by hand: it connects, asks for the
state (sync step 1 with an empty state vector) and stops the clock when the answer (sync step
2) has arrived, without applying it. Same stored log as coldload.py (10,000 updates,
compaction disabled), each invoice cold once, then one warm connect for contrast:

    .venv/bin/python -m bench.cold_probe --invoices 8
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from bench import coldload  # noqa: E402
from bench.servers import OursServer, create_invoices  # noqa: E402

SYNC_STEP_1_EMPTY = bytes([0, 0, 1, 0])  # sync, step 1, a state vector of no client
SYNC_STEP_2 = b"\x00\x01"


async def connect_to_state(url: str, room: str, token: str) -> tuple[float, float, int]:
    """Milliseconds to the upgrade and to the whole state, and the state's size in bytes."""
    started = time.perf_counter()
    async with websockets.connect(
        f"{url}/{room}?token={token}", max_size=None, compression=None
    ) as ws:
        upgraded = time.perf_counter()
        await ws.send(SYNC_STEP_1_EMPTY)
        while True:
            message = await ws.recv()
            if isinstance(message, bytes) and message.startswith(SYNC_STEP_2):
                done = time.perf_counter()
                return 1000 * (upgraded - started), 1000 * (done - started), len(message)


async def probe(invoices: int) -> None:
    updates = coldload.editing_session(coldload.LOG_UPDATES)
    with tempfile.TemporaryDirectory(prefix="cofacture-cold-") as tmp:
        data_dir = Path(tmp)
        server = OursServer(data_dir, COMPACT_AFTER_UPDATES="1000000")
        account = await server.prepare()
        rooms = await create_invoices(data_dir, account, invoices)
        await coldload.store_log(data_dir, rooms, updates, compacted=False, user_id=account.user_id)
        await server.start()
        try:
            cold = [await connect_to_state(server.url, room, server.token) for room in rooms]
            warm = await connect_to_state(server.url, rooms[-1], server.token)
        finally:
            await server.stop()
    print("| connect | upgraded, ms | state received, ms | state, bytes |\n|---|---|---|---|")
    for label, (upgraded, received, size) in [
        *((f"cold {i + 1}", row) for i, row in enumerate(cold)),
        ("warm", warm),
    ]:
        print(f"| {label} | {upgraded:.1f} | {received:.1f} | {size:,} |")
    later = [received for _, received, _ in cold[1:]] or [cold[0][1]]
    print(f"\ncold, the first of the process left out: median {statistics.median(later):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cold load, the server's share")
    parser.add_argument("--invoices", type=int, default=8, help="invoices loaded cold")
    asyncio.run(probe(parser.parse_args().invoices))


if __name__ == "__main__":
    main()
