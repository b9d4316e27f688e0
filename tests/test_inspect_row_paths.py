"""The row an edit names, under concurrent inserts and deletes (collab/sync/inspect_rows.py).

An edit inside a row reaches the server as an index into the rows *as the server has them*,
which differs from the index the sender saw when others inserted or deleted rows meanwhile. The
inspector must still name the row by its id: locks, comments and the workflow's rules work on
`lines.<id>.<field>` paths, so a wrong id would let an edit of a locked line through.

Several clients edit their own copies; their updates reach the server in a random order
(hypothesis draws both). Every field change the server reports must be one its sender made,
on the row it made it; and every change it makes visible at the server must be reported (a set
that loses to a concurrent set of the same field changes nothing there).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.document import INVOICE_SHAPE
from collab.sync.inspect import ChangeKind, UpdateInspector

CLIENTS = 3

# One step: which client acts, what it does, a random number for the row and the value, and
# whether the updates waiting for the server are delivered afterwards: the clients' in a random
# interleaving, each client's in the order it made them (one connection each).
_step = st.tuples(
    st.integers(0, CLIENTS - 1),
    st.sampled_from(["insert", "delete", "set", "type", "set", "type", "duplicate"]),
    st.integers(0, 10_000),
    st.booleans(),
)


def _rows(doc: Doc[Any]) -> Array[Any]:
    rows: Array[Any] = doc.get("lines", type=Array)
    return rows


def _fields(doc: Doc[Any]) -> dict[tuple[str, str], str]:
    """(row id, field) -> its value, for the fields the clients edit."""
    return {
        (row["id"], name): str(row[name])
        for row in _rows(doc)
        for name in ("quantity", "description")
    }


class _Client:
    def __init__(self, seed: bytes) -> None:
        self.doc: Doc[Any] = Doc()
        self.doc.apply_update(seed)
        self.outbox: list[tuple[bytes, set[tuple[str, str]]]] = []

    def act(self, action: str, number: int, serial: int) -> None:
        rows = _rows(self.doc)
        edited: set[tuple[str, str]] = set()
        captured: list[bytes] = []

        def capture(event: TransactionEvent) -> None:
            captured.append(event.update)

        subscription = self.doc.observe(capture)
        with self.doc.transaction():
            if action in ("insert", "duplicate") or not len(rows):
                # A duplicate id is refused: the server undoes the insert (compensation).
                row_id = (
                    rows[number % len(rows)]["id"]
                    if action == "duplicate" and len(rows)
                    else f"n{serial}"
                )
                row = Map({"id": row_id, "description": Text("new"), "quantity": "1"})
                rows.insert(number % (len(rows) + 1), row)
            else:
                row = rows[number % len(rows)]
                if action == "delete":
                    del rows[number % len(rows)]
                elif action == "set":
                    row["quantity"] = str(number % 97 + 1)
                    edited.add((row["id"], "quantity"))
                else:
                    row["description"].insert(0, "é")
                    edited.add((row["id"], "description"))
        self.doc.unobserve(subscription)
        self.outbox += [(update, edited) for update in captured]


def _interleaved(
    waiting: list[tuple[int, bytes, set[tuple[str, str]]]], order: Any
) -> list[tuple[bytes, set[tuple[str, str]]]]:
    """A random interleaving that keeps each client's updates in their order."""
    senders = [who for who, _, _ in waiting]
    order.shuffle(senders)
    queues = {who: [item[1:] for item in waiting if item[0] == who] for who in set(senders)}
    return [queues[who].pop(0) for who in senders]


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(_step, min_size=1, max_size=40), order=st.randoms(use_true_random=False))
def test_an_edit_names_its_row_whatever_the_concurrent_inserts_and_deletes(
    steps: list[tuple[int, str, int, bool]], order: Any
) -> None:
    seed: Doc[Any] = Doc()
    for i in range(4):
        _rows(seed).append(Map({"id": f"l{i}", "description": Text(f"line {i}"), "quantity": "1"}))
    live: Doc[Any] = Doc()
    live.apply_update(seed.get_update())
    inspector = UpdateInspector(live, INVOICE_SHAPE)
    clients = [_Client(seed.get_update()) for _ in range(CLIENTS)]
    waiting: list[tuple[int, bytes, set[tuple[str, str]]]] = []

    for serial, (who, action, number, deliver) in enumerate(steps):
        clients[who].act(action, number, serial)
        waiting += [(who, update, edited) for update, edited in clients[who].outbox]
        clients[who].outbox = []
        if not deliver and serial < len(steps) - 1:
            continue
        for update, edited in _interleaved(waiting, order):
            before = _fields(live)
            inspection = inspector.inspect(update)
            assert inspection.damage is None and not inspection.pending, inspection
            if inspection.problems:
                live.apply_update(inspector.compensate())
                assert not edited and _fields(live) == before
                continue
            live.apply_update(update)
            inspector.accept()
            after = _fields(live)
            reported = {
                (change.path.split(".")[1], change.path.split(".")[2])
                for change in inspection.changes
                if change.path.startswith("lines.")
                and change.kind in (ChangeKind.SET, ChangeKind.EDIT)
            }
            assert reported <= edited
            visible = {
                edit for edit in edited if before.get(edit, after.get(edit)) != after.get(edit)
            }
            assert visible <= reported
        waiting = []
        for client in clients:  # everyone catches up, as the server's fan-out would do
            client.doc.apply_update(live.get_update(client.doc.get_state()))
