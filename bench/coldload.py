"""Cold load of an invoice whose log holds 10,000 updates, on our server only.

The log is written straight into the database through the server's own store (the server is
stopped), exactly as the group-committed persister would have written it, then the server is
started and a fresh client times connect -> synced. Two stored shapes:

* compaction disabled (COMPACT_AFTER_UPDATES=1000000): the load replays 10,000 log rows;
* compaction enabled (default 500): the same log plus the snapshot that compaction leaves
  (the document re-encoded at the last seq, the log rows marked compacted), so the load reads
  one snapshot.

Each invoice is cold exactly once per server start, so several invoices are prepared and timed
one after the other; a second connect to the same invoice gives the warm figure for contrast.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from pycrdt import Array, Doc, Map, Text

from bench import loadgen
from bench.servers import OursServer, create_invoices
from collab.sync import LogEntry, Snapshot
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.harness import db_url

LOG_UPDATES = 10_000
LINE_EVERY = 500  # a new invoice line every this many edits
HEADER_FIELDS = ("payment_terms", "buyer_reference", "due_date")  # strings in collab/schema.py


def editing_session(count: int) -> list[bytes]:
    """`count` single-edit updates as a user produces them: mostly typing into line
    descriptions, every other edit a header field change, a new line now and then."""
    doc: Doc[Any] = Doc()
    invoice = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    description = Text()
    for i in range(count):
        if i % LINE_EVERY == 0:
            description = Text("")
            line = {"id": f"line-{i}", "description": description, "quantity": "1"}
            lines.append(Map({**line, "unit_price": "95.00"}))
        elif i % 2:
            invoice[HEADER_FIELDS[i % len(HEADER_FIELDS)]] = f"value {i}"
        else:
            description.insert(len(description), "x")
    doc.unobserve(subscription)
    return updates[:count]


def snapshot_of(updates: list[bytes]) -> bytes:
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc.get_update()


async def store_log(
    data_dir: Path, invoice_ids: list[str], updates: list[bytes], *, compacted: bool, user_id: str
) -> None:
    snapshot = snapshot_of(updates) if compacted else None
    engine = create_engine(db_url(data_dir))
    try:
        store = SqlUpdateStore(engine)
        now = time.time()
        for invoice_id in invoice_ids:
            entries = [
                LogEntry(invoice_id, seq, data, user_id, now)
                for seq, data in enumerate(updates, start=1)
            ]
            snapshots = [Snapshot(invoice_id, len(updates), snapshot)] if snapshot else []
            await store.write(entries, snapshots)
    finally:
        await engine.dispose()


async def load_in_process(data_dir: Path, invoice_ids: list[str]) -> dict[str, float]:
    """The server's share of a cold load, timed in this process: the store's query, then the
    replay into a fresh document (what RoomRegistry._load does). Medians over `invoice_ids`."""
    engine = create_engine(db_url(data_dir))
    query: list[float] = []
    replay: list[float] = []
    try:
        store = SqlUpdateStore(engine)
        await store.load(invoice_ids[0])  # first query of a process: connection, compiled SQL
        for invoice_id in invoice_ids:
            t0 = time.perf_counter()
            stored = await store.load(invoice_id)
            t1 = time.perf_counter()
            stored.to_doc()
            query.append(1000 * (t1 - t0))
            replay.append(1000 * (time.perf_counter() - t1))
    finally:
        await engine.dispose()
    return {
        "query_ms": round(statistics.median(query), 2),
        "replay_ms": round(statistics.median(replay), 2),
    }


async def measure(work: Path, *, invoices: int = 5) -> dict[str, Any]:
    """Cold and warm connect -> synced, with compaction disabled and enabled."""
    updates = editing_session(LOG_UPDATES)
    results: dict[str, Any] = {
        "log_updates": len(updates),
        "log_bytes": sum(map(len, updates)),
        "snapshot_bytes": len(snapshot_of(updates)),
    }
    for label, compacted, env in (
        ("compaction_disabled", False, {"COMPACT_AFTER_UPDATES": "1000000"}),
        ("compaction_enabled", True, {}),
    ):
        results[label] = await _measure_one(
            work / label, updates, compacted=compacted, env=env, invoices=invoices
        )
    return results


async def _measure_one(
    data_dir: Path, updates: list[bytes], *, compacted: bool, env: dict[str, str], invoices: int
) -> dict[str, Any]:
    server = OursServer(data_dir, **env)
    account = await server.prepare()
    warmup, *targets = await create_invoices(data_dir, account, invoices + 1)
    await store_log(
        data_dir, [warmup, *targets], updates, compacted=compacted, user_id=account.user_id
    )
    in_process = await load_in_process(data_dir, targets)
    await server.start()
    try:
        # "Cold" means the invoice is not in memory, not that the process is: the first load
        # of a process (and the client's first big update) pays one-off warm-up costs.
        order = [warmup, *(room for target in targets for room in (target, target))]
        result = await loadgen.run(
            "cold", server.url, server_pid=server.pid, rooms=",".join(order), token=server.token
        )
    finally:
        await server.stop()
    if not result.get("ok"):
        raise RuntimeError(f"cold load failed: {result}")
    times = result["times_ms"][1:]
    cold, warm = times[0::2], times[1::2]
    return {
        "cold_ms": cold,
        "cold_median_ms": statistics.median(cold),
        "server_side_ms": in_process,
        "warm_median_ms": statistics.median(warm),
        # Sanity: the client really received the document (its header fields).
        "fields_loaded": result["keys"][1:],
    }
