"""The timeline's grouping and pages (collab/invoice/history.py), the log replay that feeds it
(server/invoices/history.py) and the restore edit (server/invoices/restore.py), without a server."""

from __future__ import annotations

import random
from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.history import Change, ChangeKind, LoggedChange, page, timeline
from server.invoices.documents import document_json
from server.invoices.history import LogRow, Replay, document_at, replay_timeline
from server.invoices.restore import restore_update


def typed(
    seq: int, author: str, path: str, before: str | None, after: str, at: float = 0.0
) -> LoggedChange:
    return LoggedChange(seq, author, at or float(seq), [Change(path, before, after)])


def test_one_persons_typing_in_one_field_is_one_entry_despite_others_elsewhere() -> None:
    entries = timeline(
        [
            typed(1, "ada", "invoice.payment_terms", None, "N"),
            typed(2, "bob", "invoice.due_date", None, "2026-01-31"),  # someone else, elsewhere
            typed(3, "ada", "invoice.payment_terms", "N", "Ne"),
            typed(4, "ada", "invoice.payment_terms", "Ne", "Net 30"),
        ]
    )
    assert [(e.path, e.author, e.before, e.after, e.updates) for e in entries] == [
        ("invoice.due_date", "bob", None, "2026-01-31", 1),
        ("invoice.payment_terms", "ada", None, "Net 30", 3),
    ]
    assert (entries[1].first_seq, entries[1].seq, entries[1].kind) == (1, 4, ChangeKind.ADDED)


def test_a_group_ends_when_someone_else_edits_the_field_or_its_author_moves_or_pauses() -> None:
    entries = timeline(
        [
            typed(1, "ada", "invoice.notes", None, "a"),
            typed(2, "bob", "invoice.notes", "a", "ab"),  # someone else on the same field
            typed(3, "ada", "invoice.notes", "ab", "abc"),
            typed(4, "ada", "invoice.currency", None, "EUR"),  # ada moves to another field
            typed(5, "ada", "invoice.notes", "abc", "abcd"),
            typed(6, "ada", "invoice.notes", "abcd", "abcde", at=10_000.0),  # after a pause
        ]
    )
    assert [(e.seq, e.author, e.before, e.after) for e in entries] == [
        (1, "ada", None, "a"),
        (2, "bob", "a", "ab"),
        (3, "ada", "ab", "abc"),
        (4, "ada", None, "EUR"),
        (5, "ada", "abc", "abcd"),
        (6, "ada", "abcd", "abcde"),
    ]


def test_lines_added_and_removed_are_their_own_entries_and_typing_back_leaves_nothing() -> None:
    line = {"id": "l1", "quantity": "1"}
    entries = timeline(
        [
            LoggedChange(1, "ada", 1.0, [Change("lines.l1", None, line)]),
            typed(2, "ada", "lines.l1.quantity", "1", "12"),
            typed(3, "ada", "lines.l1.quantity", "12", "1"),  # typed, then deleted again
            LoggedChange(4, "ada", 4.0, [Change("lines.l1", line, None)]),
            LoggedChange(5, None, 5.0, []),  # a compensation: nothing changed
        ]
    )
    assert [(e.path, e.kind) for e in entries] == [
        ("lines.l1", ChangeKind.ADDED),
        ("lines.l1", ChangeKind.REMOVED),
    ]


def test_pages_go_back_by_seq_and_never_split_one_update() -> None:
    restore = LoggedChange(3, "ada", 3.0, [Change(f"invoice.f{i}", "x", "y") for i in range(3)])
    entries = timeline(
        [typed(1, "ada", "invoice.a", None, "1"), typed(2, "bob", "invoice.b", None, "2"), restore]
    )
    first, cursor = page(entries, before=None, limit=2)
    assert [e.seq for e in first] == [3, 3, 3] and cursor == 3  # one update, given whole
    second, cursor = page(entries, before=cursor, limit=1)
    assert [e.seq for e in second] == [2] and cursor == 2
    third, cursor = page(entries, before=cursor, limit=5)
    assert [e.seq for e in third] == [1] and cursor is None


def _random_log(count: int, seed: int) -> tuple[list[bytes], list[dict[str, Any]]]:
    """Random edits (lines added, removed, moved, typed in; header fields and maps set): each
    update and the document after it."""
    rng = random.Random(seed)
    doc: Doc[Any] = Doc()
    header, lines = doc.get("invoice", type=Map), doc.get("lines", type=Array)
    updates: list[bytes] = []
    states: list[dict[str, Any]] = []

    def capture(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(capture)
    for i in range(count):
        roll = rng.random()
        with doc.transaction():
            if roll < 0.2 or not len(lines):
                line = Map({"id": f"l{i}", "description": Text("d"), "quantity": "1"})
                lines.insert(rng.randint(0, len(lines)), line)
            elif roll < 0.3:
                del lines[rng.randrange(len(lines))]
            elif roll < 0.4:  # a move: removed and inserted elsewhere with the same id
                plain = lines[(at := rng.randrange(len(lines)))].to_py()
                del lines[at]
                moved = {k: Text(v) if k == "description" else v for k, v in plain.items()}
                lines.insert(rng.randint(0, len(lines)), Map(moved))
            elif roll < 0.6:
                lines[rng.randrange(len(lines))]["quantity"] = str(i)
            elif roll < 0.75:
                lines[rng.randrange(len(lines))]["description"].insert(0, "é ")
            elif roll < 0.85:
                header["customer"] = Map({"name": f"c{i}", "address": Map({"city": "Lyon"})})
            else:
                header["due_date"] = f"2026-01-{i % 28 + 1:02d}"
        states.append(document_json(doc))
    return updates, states


def test_replay_reports_exactly_what_each_update_changed() -> None:
    updates, states = _random_log(600, seed=3)
    replay = Replay()
    before: dict[str, Any] = {"invoice": {}, "lines": []}
    for update, after in zip(updates, states, strict=True):
        changes = replay.apply(update)
        assert replay.document() == after
        old = {line["id"]: line for line in before["lines"]}
        new = {line["id"]: line for line in after["lines"]}
        expected = {f"lines.{i}" for i in set(old) ^ set(new)}
        expected |= {f"lines.{i}" for i in set(old) & set(new) if old[i] != new[i]}
        changed_lines = {".".join(c.path.split(".")[:2]) for c in changes if c.path[0] == "l"}
        assert changed_lines == expected
        assert any(c.path.startswith("invoice.") for c in changes) == (
            before["invoice"] != after["invoice"]
        )
        before = after


def test_timeline_and_document_at_from_log_rows() -> None:
    updates, states = _random_log(200, seed=5)
    rows = [LogRow(seq, data, "ada", float(seq)) for seq, data in enumerate(updates, 1)]
    entries, replayed = replay_timeline(rows)
    assert replayed == 200 and entries and entries[-1].seq == 200
    assert document_at(rows[:57]) == states[56]


def test_restore_makes_the_live_content_equal_to_any_earlier_state() -> None:
    updates, states = _random_log(300, seed=11)
    live: Doc[Any] = Doc()
    for update in updates:
        live.apply_update(update)
    for target in (states[0], states[40], states[150], states[-1]):
        restoring = restore_update(live, target)
        copy: Doc[Any] = Doc()
        copy.apply_update(live.get_update())
        if restoring is not None:
            copy.apply_update(restoring)
        assert document_json(copy) == target
    assert restore_update(live, states[-1]) is None  # nothing to change


def test_restore_edits_texts_in_place_so_concurrent_typing_survives() -> None:
    live: Doc[Any] = Doc()
    header = live.get("invoice", type=Map)
    header["notes"] = Text("Payé à 30 jours, merci")
    concurrent: Doc[Any] = Doc()
    concurrent.apply_update(live.get_update())
    update = restore_update(live, {"invoice": {"notes": "Payé à 45 jours, merci"}, "lines": []})
    assert update is not None
    # Someone types at the end of the text while the restore is on its way.
    notes = concurrent.get("invoice", type=Map)["notes"]
    notes.insert(len(notes), "!")
    concurrent.apply_update(update)
    assert str(concurrent.get("invoice", type=Map)["notes"]) == "Payé à 45 jours, merci!"


def test_adjustments_are_replayed_timed_and_restored_like_lines() -> None:
    """The second row collection: its rows are `adjustments.<id>` changes, kept apart from
    lines (even under the same id), grouped like lines, and restored by id."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    rows = doc.get("adjustments", type=Array)
    charge = {"id": "a1", "type": "charge", "amount": "5", "reason": "Freight"}
    rows.append(Map(charge))
    doc.get("lines", type=Array).append(Map({"id": "a1", "quantity": "1"}))
    rows[0]["amount"] = "7.50"
    snapshot = document_json(doc)
    rows.append(Map({"id": "a2", "percent": "10", "reason": "Loyalty"}))
    del rows[0]

    replay = Replay()
    changes = [replay.apply(update) for update in updates]
    assert changes == [
        [Change("adjustments.a1", None, charge)],
        [Change("lines.a1", None, {"id": "a1", "quantity": "1"})],
        [Change("adjustments.a1.amount", "5", "7.50")],
        [Change("adjustments.a2", None, {"id": "a2", "percent": "10", "reason": "Loyalty"})],
        [Change("adjustments.a1", {**charge, "amount": "7.50"}, None)],
    ]
    assert replay.document() == document_json(doc)
    assert replay.document()["adjustments"] == [{"id": "a2", "percent": "10", "reason": "Loyalty"}]
    # A row added then removed stays two entries, as a line does.
    logged = [LoggedChange(seq, "ada", float(seq), c) for seq, c in enumerate(changes, 1)]
    assert [(e.path, e.kind) for e in timeline(logged) if e.path.startswith("adjustments.a1")] == [
        ("adjustments.a1", ChangeKind.ADDED),
        ("adjustments.a1.amount", ChangeKind.CHANGED),
        ("adjustments.a1", ChangeKind.REMOVED),
    ]
    # Restoring the earlier version brings a1 back and drops a2, lines untouched.
    restoring = restore_update(doc, snapshot)
    assert restoring is not None
    doc.apply_update(restoring)
    assert document_json(doc) == snapshot
    assert snapshot["adjustments"] == [{**charge, "amount": "7.50"}]
