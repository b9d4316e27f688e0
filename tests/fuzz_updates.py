"""Offline fuzzing of the update acceptance path (docs/reliability.md).

Valid updates from realistic editing (header field sets, line inserts with text, typing, line
deletes) are mutated (bytes flipped, truncated, spliced with another update) and fed to a room
exactly as the server does (`Room.receive` with sync frames). Whatever the room accepts must replay
from the stored form (the log, and the snapshot plus the log after it) into a document identical
to the live one; a crash of the room (anything but a CollabError closing the sender) is a failure.

Run long: .venv/bin/python -m tests.fuzz_updates --cases 100000 [--seed N]
The normal suite runs a short version (tests/test_fuzz_updates.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import CollabError, Identity, Limits, Peer, Room
from collab.sync.protocol import encode_update
from collab.sync.store import LogEntry, Snapshot, StoredDocument
from tests.memory_channel import MemoryChannel
from tests.updates import recorded

EDITOR = Identity("u-fuzz", "Fuzzer", can_edit=True)
_WORDS = ("Conseil", "journée", "Lumière", "café", "x", "€", "😀", "delivery")


class RecordingPersister:
    """Stands in for the Persister: keeps what the room would write, in order."""

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self.snapshots: list[Snapshot] = []

    def append(self, entry: LogEntry) -> None:
        self.entries.append(entry)

    def snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)


def realistic_updates(rng: random.Random, count: int) -> list[bytes]:
    """Updates a real editor produces, each captured as the client would send it."""
    doc: Doc[Any] = Doc()
    out = recorded(doc)
    header = doc.get("invoice", type=Map)
    lines = doc.get("lines", type=Array)
    for n in range(count):
        roll = rng.random()
        if roll < 0.15 or len(lines) == 0:
            text = Text(rng.choice(_WORDS))
            lines.append(Map({"id": f"l{n}-{rng.randrange(99)}", "description": text}))
        elif roll < 0.3:
            header[rng.choice(("due_date", "currency", "payment_terms"))] = rng.choice(_WORDS)
        elif roll < 0.4:
            header["customer"] = Map({"name": rng.choice(_WORDS)})
        elif roll < 0.75:
            text = lines[rng.randrange(len(lines))]["description"]
            chars = str(text)
            if chars and rng.random() < 0.3:
                at = rng.randrange(len(chars))  # pycrdt's offsets are UTF-8 bytes
                start = len(chars[:at].encode())
                del text[start : start + len(chars[at].encode())]
            else:
                text.insert(len(chars.encode()), rng.choice(_WORDS))
        elif roll < 0.9:
            lines[rng.randrange(len(lines))]["unit_price"] = f"{rng.randrange(1, 999)}.00"
        else:
            del lines[rng.randrange(len(lines))]
    return out


def mutate(rng: random.Random, update: bytes, other: bytes) -> bytes:
    data = bytearray(update)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if not data:
            break
        if op < 0.45:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op < 0.6:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op < 0.75:
            del data[rng.randrange(len(data)) :]
        elif op < 0.9:
            at = rng.randrange(len(data))
            data[at:at] = other[rng.randrange(len(other) + 1) :][: rng.randint(1, 8)]
        else:
            at = rng.randrange(len(data))
            del data[at : at + rng.randint(1, 4)]
    return bytes(data)


@dataclass
class Figures:
    cases: int = 0
    accepted: int = 0  # mutated updates that reached the live document and the log
    refused: int = 0  # closed the sender (CollabError)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"cases {self.cases}, mutated updates accepted {self.accepted}, "
            f"sender closed {self.refused}, failures {len(self.failures)}"
        )


def _content(doc: Doc[Any]) -> tuple[Any, Any]:
    return (doc.get("invoice", type=Map).to_py(), doc.get("lines", type=Array).to_py())


def _check_replay(room: Room, persister: RecordingPersister) -> str | None:
    """The stored form (log; snapshot + later log) replays to the live document."""
    live = _content(room.doc)
    log = [e.data for e in persister.entries]
    forms = {"log": StoredDocument(None, log, len(log))}
    if persister.snapshots:
        snap = persister.snapshots[-1]
        forms["snapshot+log"] = StoredDocument(snap.data, log[snap.seq :], len(log))
    for name, stored in forms.items():
        try:
            loaded = stored.to_doc()
        except BaseException as exc:  # a panic is what we look for
            return f"{name} does not replay: {exc!r}"
        if stored.quarantined:
            return f"{name} replays only with quarantined entries {stored.quarantined}"
        if _content(loaded) != live:
            return f"{name} replays to another document"
    return None


async def run_case(rng: random.Random, figures: Figures, *, edits: int = 12) -> None:
    """One room, a realistic session with a few mutated updates in it."""
    honest = realistic_updates(rng, edits)
    persister = RecordingPersister()
    limits = Limits(compact_after_updates=rng.choice((4, 1000)))
    room = Room(
        "fuzz",
        Doc(),
        last_seq=0,
        unsnapshotted=0,
        persister=persister,  # type: ignore[arg-type]
        limits=limits,
        shape=INVOICE_SHAPE,
    )
    peer = Peer(MemoryChannel(), EDITOR, queue_limit=10**6)
    room.join(peer)
    for update in honest:
        figures.cases += 1
        mutated = rng.random() < 0.5
        frame = mutate(rng, update, rng.choice(honest)) if mutated else update
        before = room.seq
        try:
            room.receive(peer, encode_update(frame))
        except CollabError:
            figures.refused += 1
            peer = Peer(MemoryChannel(), EDITOR, queue_limit=10**6)
            room.join(peer)  # the fuzzer reconnects
        except BaseException as exc:  # a panic escaping the room
            figures.failures.append(f"room crashed: {exc!r} on {frame.hex()}")
            return
        if mutated and room.seq > before:
            figures.accepted += 1
        problem = _check_replay(room, persister)
        if problem is not None:
            figures.failures.append(f"{problem} after {frame.hex()}")
            return


async def fuzz(cases: int, seed: int) -> Figures:
    rng = random.Random(seed)
    figures = Figures()
    while figures.cases < cases and len(figures.failures) < 20:
        await run_case(rng, figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    figures = asyncio.run(fuzz(args.cases, args.seed))
    print(f"{figures.line()} in {time.perf_counter() - start:.1f} s (seed {args.seed})")
    for failure in figures.failures[:10]:
        print(" ", failure[:400])
    raise SystemExit(1 if figures.failures else 0)


if __name__ == "__main__":
    main()
