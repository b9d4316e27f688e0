"""The manager's board (docs/benchmarks.md, "The board"): open time and delta fan-out.

`python -m bench.board --invoices 5000 --subscribers 50 --changes 40`:

1. `--invoices` invoices of one organization are written straight into the database with their
   summary columns (statuses, amounts, due dates, customers of every importance, assignees), as
   the server derives them; the server's share of an open is timed in this process (the
   queries, the cards, sorting, the JSON); then, through the real server, the median time to
   open the board: `GET /api/board` (answer read and parsed by the client) and
   `/ws/board/{org}` (connect -> snapshot parsed).
2. `--subscribers` board sockets stay open while the assignee of an invoice is changed
   `--changes` times over HTTP, one after the other; each subscriber times the change's card
   from the HTTP answer (the commit) to its frame. p50/p99 over every (change, subscriber),
   the 50 ms debounce included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert
from websockets.asyncio.client import ClientConnection, connect

from bench.servers import OursServer
from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Limits, MemoryStore, Persister, RoomRegistry
from server.board import service as board
from server.catalog.models import Customer
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice
from server.workflow.models import WorkflowState
from tests.harness import Account, db_url

STATUSES = ("draft", "draft", "submitted", "approved", "issued", "issued", "paid")
CUSTOMERS = 200  # distinct customers; every 10th important, every 25th key


async def seed_board(data_dir: Path, account: Account, count: int) -> list[str]:
    """`count` invoices with their summary columns, a catalogue, and assignees on a third."""
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        status = STATUSES[i % len(STATUSES)]
        due = today + timedelta(days=(i % 90) - 45)
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "org_id": account.org_id,
                "created_by": account.user_id,
                "status": status,
                "kind": "invoice",
                "number": None if status in ("draft", "submitted", "approved") else f"F-{i}",
                "created_at": now - timedelta(minutes=i),
                "updated_at": now - timedelta(minutes=i),
                "customer_name": f"Customer {i % CUSTOMERS}",
                "currency": "EUR",
                "issue_date": str(today),
                "due_date": due.isoformat(),
                "net": "0.00",
                "tax": "0.00",
                "gross": f"{(i * 37) % 50_000 + 50}.00",
                "gross_value": (i * 37) % 50_000 + 50,
                "line_count": 1,
                "issue_count": 0,
            }
        )
    customers = [
        {
            "id": str(uuid.uuid4()),
            "org_id": account.org_id,
            "name": f"Customer {n}",
            "created_at": now,
            "importance": "key" if n % 25 == 0 else "important" if n % 10 == 0 else "normal",
        }
        for n in range(CUSTOMERS)
    ]
    assigned = [
        {"invoice_id": row["id"], "version": 1, "assignee_id": account.user_id} for row in rows[::3]
    ]
    engine = create_engine(db_url(data_dir))
    try:
        async with sessions(engine).begin() as db:
            await db.execute(insert(Invoice), rows)
            await db.execute(insert(Customer), customers)
            await db.execute(insert(WorkflowState), assigned)
    finally:
        await engine.dispose()
    # Drafts with no assignee yet: the fan-out's first change of each sets one.
    return [row["id"] for i, row in enumerate(rows) if row["status"] == "draft" and i % 3]


async def in_process(data_dir: Path, org_id: str, user_id: str, runs: int) -> dict[str, Any]:
    """What the server spends on one open, without HTTP: board.board() and its JSON."""
    engine = create_engine(db_url(data_dir))
    no_rooms = RoomRegistry(MemoryStore(), Persister(MemoryStore()), Limits(), shape=INVOICE_SHAPE)
    took: list[float] = []
    try:
        for run in range(runs + 1):
            t0 = time.perf_counter()
            found = await board.board(
                sessions(engine), no_rooms, user_id=user_id, org_id=org_id, filters={}
            )
            json.dumps(found, separators=(",", ":"))
            if run:  # the first is a warm-up (connection, compiled SQL)
                took.append(1000 * (time.perf_counter() - t0))
    finally:
        await engine.dispose()
    return {"server_share_ms_median": round(statistics.median(took), 1)}


async def open_times(server: OursServer, org_id: str, runs: int) -> dict[str, Any]:
    http_ms: list[float] = []
    ws_ms: list[float] = []
    cards = 0
    url = _board_url(server, org_id)
    async with httpx.AsyncClient(
        base_url=server.url.replace("ws://", "http://").removesuffix("/ws/invoices"),
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=60,
    ) as http:
        for run in range(runs + 1):  # the first of each is a warm-up (connections, SQL)
            t0 = time.perf_counter()
            r = await http.get("/api/board")
            cards = len(r.json()["cards"])
            t1 = time.perf_counter()
            async with connect(url, max_size=None) as ws:
                snapshot = json.loads(await ws.recv())
            t2 = time.perf_counter()
            assert r.status_code == 200 and len(snapshot["cards"]) == cards
            if run:
                http_ms.append(1000 * (t1 - t0))
                ws_ms.append(1000 * (t2 - t1))
    return {
        "cards": cards,
        "http_open_ms_median": round(statistics.median(http_ms), 1),
        "ws_snapshot_ms_median": round(statistics.median(ws_ms), 1),
        "http_open_ms_max": round(max(http_ms), 1),
        "ws_snapshot_ms_max": round(max(ws_ms), 1),
    }


def _board_url(server: OursServer, org_id: str) -> str:
    base = server.url.removesuffix("/ws/invoices")
    return f"{base}/ws/board/{org_id}?token={server.token}"


async def fanout(
    server: OursServer, account: Account, drafts: list[str], subscribers: int, changes: int
) -> dict[str, Any]:
    url = _board_url(server, account.org_id)
    sockets: list[ClientConnection] = []
    for _ in range(subscribers):
        ws = await connect(url, max_size=None)
        await ws.recv()  # the snapshot
        sockets.append(ws)
    latencies: list[float] = []
    http_base = server.url.replace("ws://", "http://").removesuffix("/ws/invoices")
    try:
        async with httpx.AsyncClient(
            base_url=http_base, headers={"Authorization": f"Bearer {server.token}"}, timeout=30
        ) as http:
            for n in range(changes):
                invoice_id = drafts[n // 2]  # set, then cleared: each one a change
                assignee = None if n % 2 else account.user_id
                waits = [asyncio.create_task(_card_of(ws, invoice_id)) for ws in sockets]
                r = await http.put(
                    f"/api/invoices/{invoice_id}/assignee", json={"user_id": assignee}
                )
                committed = time.perf_counter()
                assert r.status_code == 200, r.text
                for arrived in await asyncio.gather(*waits):
                    latencies.append(1000 * (arrived - committed))
    finally:
        for ws in sockets:
            await ws.close()
    latencies.sort()
    return {
        "subscribers": subscribers,
        "changes": changes,
        "frames": len(latencies),
        "delta_ms_p50": round(statistics.median(latencies), 1),
        "delta_ms_p99": round(latencies[int(0.99 * (len(latencies) - 1))], 1),
        "delta_ms_max": round(latencies[-1], 1),
    }


async def _card_of(ws: ClientConnection, invoice_id: str) -> float:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "card" and frame["card"]["id"] == invoice_id:
            return time.perf_counter()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        server = OursServer(Path(tmp))
        account = await server.prepare()
        t0 = time.perf_counter()
        drafts = await seed_board(Path(tmp), account, args.invoices)
        seeded = time.perf_counter() - t0
        alone = await in_process(Path(tmp), account.org_id, account.user_id, args.runs)
        await server.start()
        try:
            result = {
                "invoices": args.invoices,
                "seed_s": round(seeded, 1),
                "date": date.today().isoformat(),
                "open": alone | await open_times(server, account.org_id, args.runs),
                "fanout": await fanout(server, account, drafts, args.subscribers, args.changes),
            }
        finally:
            await server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--invoices", type=int, default=5000, help="invoices on the board")
    parser.add_argument("--runs", type=int, default=5, help="opens of the board (median)")
    parser.add_argument("--subscribers", type=int, default=50, help="board sockets open")
    parser.add_argument("--changes", type=int, default=40, help="assignee changes, one by one")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
