"""Cost of update inspection per update, on a 50-line invoice.

Run: .venv/bin/python -m bench.inspect_cost [--updates N] [--writers W] [--notes-edits E]

Prints microseconds per update (p50 / p99 / mean) for: a plain `apply_update` (what a server
without inspection does), the inspected accepted path (shadow apply + event analysis + live
apply), the refused path (inspection + compensation + live apply), concurrent sets of the
same header fields by two people, where the losing sets are root events without a readable
change (the misused-root check), and keystrokes in notes ten people typed into at random places
(`--notes-edits`, default 3,000: a text of many items, where reading a change's delta walks
them all).

`--writers W` (default 1) has W earlier sessions write the invoice's lines in turn, as a draft
edited over days carries: each browser session is a new Yjs client, and the document's state
vector lists them all (the integrity check looks the writers of deleted values up in it).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.document import INVOICE_SHAPE
from collab.sync.inspect import UpdateInspector
from collab.sync.integrity import Integrity

LINES = 50


def invoice(lines: int, writers: int = 1) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    header["customer"] = Map({"name": "Lumière SARL", "address": Map({"city": "Lyon"})})
    header["notes"] = Text("Payment by transfer within 30 days.")
    sessions = [doc]
    for _ in range(writers - 1):
        session: Doc[Any] = Doc()
        session.apply_update(doc.get_update())
        sessions.append(session)
    for i in range(lines):
        writer = sessions[i % len(sessions)]
        writer.apply_update(doc.get_update())
        before = writer.get_state()
        writer.get("lines", type=Array).append(
            Map(
                {
                    "id": f"line-{i}",
                    "description": Text(f"Consulting day {i}, on-site"),
                    "quantity": "1",
                    "unit_price": "800.00",
                    "tax_rate": "20",
                }
            )
        )
        doc.apply_update(writer.get_update(before))
    for n, writer in enumerate(sessions[lines:], start=lines):  # more sessions than lines
        writer.apply_update(doc.get_update())
        before = writer.get_state()
        writer.get("lines", type=Array)[n % lines]["unit_price"] = f"{800 + n}.00"
        doc.apply_update(writer.get_update(before))
    return doc


def typical_updates(base: Doc[Any], count: int, seed: int = 7) -> list[bytes]:
    """What people do in a draft: mostly typing in descriptions, some amounts, a few lines."""
    client: Doc[Any] = Doc()
    client.apply_update(base.get_update())
    out: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        out.append(event.update)

    client.observe(capture)
    rng = random.Random(seed)
    lines = client.get("lines", type=Array)
    for n in range(count):
        roll = rng.random()
        line = lines[rng.randrange(len(lines))]
        if roll < 0.7:
            text = line["description"]
            text.insert(len(str(text).encode()), rng.choice("abcdefgh "))
        elif roll < 0.95:
            line["unit_price"] = f"{rng.randrange(1, 2000)}.{rng.randrange(100):02d}"
        else:
            lines.append(Map({"id": f"new-{n}", "description": Text(""), "quantity": "1"}))
    return out


def conflicting_updates(base: Doc[Any], count: int, seed: int = 11) -> list[bytes]:
    """Two people setting the same header fields at once (neither sees the other's value):
    about half of the sets lose, and a lost set is a root event without a readable change."""
    rng = random.Random(seed)
    clients: list[Doc[Any]] = []
    out: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        out.append(event.update)  # what a browser sends: this transaction's changes only

    for _ in range(2):
        client: Doc[Any] = Doc()
        client.apply_update(base.get_update())
        client.observe(capture)
        clients.append(client)
    fields = ["payment_terms", "buyer_reference"]
    for n in range(count):
        clients[n % 2].get("invoice", type=Map)[rng.choice(fields)] = f"value {n}"
    return out


def worked_notes(base: Doc[Any], edits: int, seed: int = 13) -> Doc[Any]:
    """`base` after ten people typed `edits` characters into the notes at random places, a
    few at a time and deleting now and then: a text of many small items, deleted ones too."""
    rng = random.Random(seed)
    doc: Doc[Any] = Doc()
    doc.apply_update(base.get_update())
    writers: list[Doc[Any]] = []
    for _ in range(10):
        writer: Doc[Any] = Doc()
        writer.apply_update(doc.get_update())
        writers.append(writer)
    for n in range(edits):
        writer = writers[n % len(writers)]
        writer.apply_update(doc.get_update(writer.get_state()))
        notes = writer.get("invoice", type=Map)["notes"]
        size = len(str(notes).encode())  # pycrdt's text offsets are UTF-8 bytes (ASCII here)
        before = writer.get_state()
        if n % 10 == 9 and size > 20:
            at = rng.randrange(size - 10)
            del notes[at : at + rng.randrange(1, 10)]
        else:
            notes.insert(rng.randrange(size + 1), rng.choice("abcdefgh "))
        doc.apply_update(writer.get_update(before))
    return doc


def keystrokes(base: Doc[Any], count: int, seed: int = 17) -> list[bytes]:
    """One person typing in the notes, a character at a time at one place after another; each
    update the transaction's own, as a browser sends it (a diff would carry every deletion)."""
    rng = random.Random(seed)
    client: Doc[Any] = Doc()
    client.apply_update(base.get_update())
    notes = client.get("invoice", type=Map)["notes"]
    out: list[bytes] = []
    client.observe(lambda event: out.append(event.update))
    for _ in range(count):
        notes.insert(rng.randrange(len(str(notes)) + 1), rng.choice("abcdefgh "))
    return out


def measure(label: str, updates: list[bytes], step: Callable[[bytes], object]) -> None:
    samples = []
    for update in updates:
        start = time.perf_counter_ns()
        step(update)
        samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    p50 = samples[len(samples) // 2]
    p99 = samples[int(len(samples) * 0.99)]
    mean = statistics.fmean(samples)
    print(f"{label:<42} p50 {p50:7.1f} us   p99 {p99:7.1f} us   mean {mean:7.1f} us")


def accepting(base: Doc[Any]) -> Callable[[bytes], None]:
    """A live copy of `base` with its inspector: each update inspected, checked as accepted,
    and applied, as a room does with an edit nobody refuses."""
    live: Doc[Any] = Doc()
    live.apply_update(base.get_update())
    inspector = UpdateInspector(live, INVOICE_SHAPE)

    def accept(update: bytes) -> None:
        inspection = inspector.inspect(update)
        assert inspection.damage is None and not inspection.problems, inspection
        live.apply_update(update)
        inspector.accept()

    return accept


def measure_integrity(base: Doc[Any], count: int) -> None:
    """The integrity check alone, for a new session replacing a value an earlier one wrote:
    the delete set names that writer, looked up among every writer of the state vector."""
    live: Doc[Any] = Doc()
    live.apply_update(base.get_update())
    session: Doc[Any] = Doc()
    session.apply_update(base.get_update())
    sent: list[bytes] = []
    session.observe(lambda event: sent.append(event.update))
    session.get("lines", type=Array)[LINES // 2]["unit_price"] = "9.99"
    live.apply_update(sent[0])
    state = live.get_state()
    check = Integrity().check  # kept across updates, as the inspector keeps it
    assert check(sent[0], state)
    measure("integrity check (a value replaced)", sent * count, lambda u: check(u, state))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=1, help="earlier sessions (clients)")
    parser.add_argument(
        "--notes-edits", type=int, default=3000, help="edits the notes carry (typing row)"
    )
    args = parser.parse_args()
    base = invoice(LINES, max(1, args.writers))
    updates = typical_updates(base, args.updates)
    mix = "70 % typing, 25 % amounts, 5 % new lines"
    print(f"{LINES}-line invoice by {args.writers} writers, {len(updates)} typical updates ({mix})")

    plain: Doc[Any] = Doc()
    plain.apply_update(base.get_update())
    measure("plain apply_update (no inspection)", updates, plain.apply_update)

    measure("inspected and accepted", updates, accepting(base))

    refused_live: Doc[Any] = Doc()
    refused_live.apply_update(base.get_update())
    refusing = UpdateInspector(refused_live, INVOICE_SHAPE)

    def refused(update: bytes) -> None:
        refusing.inspect(update)
        refused_live.apply_update(refusing.compensate())

    measure("inspected, refused and compensated", updates[:1000], refused)

    measure_integrity(base, args.updates)

    worked = worked_notes(base, args.notes_edits)
    measure(
        f"typing in notes of {args.notes_edits} edits by 10",
        keystrokes(worked, min(args.updates, 1000)),
        accepting(worked),
    )

    conflicts = conflicting_updates(base, min(args.updates, 2000))
    concurrent = accepting(base)
    # Measured after the typical updates: the invoice carries their history.
    for update in updates:
        concurrent(update)
    measure("concurrent header sets (half lose)", conflicts, concurrent)


if __name__ == "__main__":
    main()
