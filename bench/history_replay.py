"""What an invoice's history costs: replaying its whole update log into the timeline, and into
the document as of an update (the first step of a restore).

The log is made the way people make it: keystrokes in descriptions (one update each), numbers
and header fields set, lines added (and, now and then, removed) by three authors in turn.

    .venv/bin/python -m bench.history_replay --updates 10000 --lines 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent

from server.invoices.history import LogRow, document_at, replay_timeline

AUTHORS = ("u-ada", "u-bob", "u-cy")


def make_log(updates: int, max_lines: int, seed: int = 7) -> list[LogRow]:
    rng = random.Random(seed)
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    captured: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        captured.append(event.update)

    doc.observe(capture)
    made = 0
    while len(captured) < updates:
        roll = rng.random()
        if not len(lines) or (roll < 0.03 and len(lines) < max_lines):
            made += 1
            lines.append(Map({"id": f"l{made}", "description": Text(""), "quantity": "1"}))
        elif roll < 0.04 and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
        elif roll < 0.80:
            text = lines[rng.randrange(len(lines))]["description"]
            text.insert(len(text), rng.choice("abcdefghij "))
        elif roll < 0.90:
            lines[rng.randrange(len(lines))]["unit_price"] = str(rng.randrange(1, 10_000))
        else:
            header[rng.choice(["payment_terms", "buyer_reference", "due_date"])] = str(made)
    start = time.time()
    return [
        LogRow(seq, data, AUTHORS[(seq // 20) % 3], start + seq)
        for seq, data in enumerate(captured[:updates], 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200, help="at most this many lines")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = make_log(args.updates, args.lines)
    timings: list[float] = []
    restores: list[float] = []
    entries = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        found, _replayed = replay_timeline(rows)
        timings.append(time.perf_counter() - started)
        entries = len(found)
        started = time.perf_counter()
        document_at(rows)
        restores.append(time.perf_counter() - started)
    size = sum(len(row.data) for row in rows)
    print(
        f"{len(rows)} updates ({size / 1024:.0f} KiB), {entries} timeline entries:"
        f" timeline median {statistics.median(timings) * 1000:.0f} ms"
        f" (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}),"
        f" document at the last update median {statistics.median(restores) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
