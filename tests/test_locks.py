"""Per-field locks: the lease table, and enforcement in a room through memory channels."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import Identity, Limits, MemoryStore
from collab.sync.locks import LockTable, Outcome, overlaps
from collab.sync.protocol import NoticeMessage, encode_notice, encode_update
from tests.harness import wait_until
from tests.test_room import Connection, joined, registry

ADA = Identity("u-ada", "Ada", can_edit=True)
BOB = Identity("u-bob", "Bob", can_edit=True)
ADMIN = Identity("u-adm", "Admin", can_edit=True, can_break_locks=True)
VIEWER = Identity("u-vi", "Vi", can_edit=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("lines.l1", "lines.l1.unit_price", True),
        ("lines.l1.unit_price", "lines.l1.unit_price", True),
        ("lines.l1", "lines.l10", False),
        ("invoice.customer", "invoice.customer.name", True),
        ("invoice.due_date", "invoice.issue_date", False),
    ],
)
def test_overlaps(a: str, b: str, expected: bool) -> None:
    assert overlaps(a, b) is expected and overlaps(b, a) is expected


@pytest.mark.parametrize(
    ("path", "valid"),
    [
        ("invoice.due_date", True),
        ("invoice.customer.address.city", True),
        ("lines.l-7", True),
        ("lines.l-7.unit_price", True),
        ("lines.l-7.discount.value", True),
        ("invoice", False),
        ("invoice.colour", False),
        ("lines.l1.price", False),
        ("status", False),
        ("lines." + "x" * 65, False),
        ("adjustments.a-1", True),
        ("adjustments.a-1.amount", True),
        ("adjustments.a-1.reason_code", True),
        ("adjustments.a-1.description", False),
        ("adjustments.a 1", False),
        ("adjustments." + "x" * 65, False),
    ],
)
def test_lock_paths_follow_the_schema(path: str, valid: bool) -> None:
    assert INVOICE_SHAPE.valid_path(path) is valid


def test_leases_conflicts_renewal_and_owners() -> None:
    table = LockTable(lease_seconds=30, per_owner=2)
    assert table.acquire("lines.l1.unit_price", ADA, "tab-1", 0).outcome is Outcome.GRANTED
    refused = table.acquire("lines.l1", BOB, "tab-9", 1)
    assert refused.outcome is Outcome.REFUSED and refused.lock.holder == ADA
    # The same person's other tab is not blocked.
    assert table.acquire("lines.l1", ADA, "tab-2", 1).outcome is Outcome.GRANTED
    assert table.blocking(BOB, ["lines.l1.quantity"], 2) is not None
    assert table.blocking(ADA, ["lines.l1.quantity"], 2) is None
    # Renewal pushes the expiry; expiry frees the path.
    table.acquire("lines.l1.unit_price", ADA, "tab-1", 25)
    assert table.expire(31) and table.blocking(BOB, ["lines.l1.unit_price"], 31) is not None
    assert table.expire(56) is True and len(table) == 0
    # A connection going away takes its locks with it; a third lock evicts its oldest.
    table.acquire("invoice.due_date", ADA, "tab-1", 100)
    table.acquire("invoice.notes", ADA, "tab-1", 101)
    table.acquire("invoice.currency", ADA, "tab-1", 102)
    assert {lock["path"] for lock in table.snapshot(103)} == {"invoice.notes", "invoice.currency"}
    assert table.release_owner("tab-1") and len(table) == 0


def _line_doc() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.get("lines", type=Array).append(Map({"id": "l1", "unit_price": "10", "quantity": "1"}))
    return doc


def _edit(base: Doc[Any], key: str, value: str) -> bytes:
    client: Doc[Any] = Doc()
    client.apply_update(base.get_update())
    captured: list[bytes] = []
    client.observe(lambda event: captured.append(event.update))
    client.get("lines", type=Array)[0][key] = value
    return captured[0]


def _refused_at_least(connections: list[Connection], count: int) -> bool:
    return sum(len(notices(c, "lock_refused")) for c in connections) >= count


def notices(connection: Connection, kind: str) -> list[dict[str, Any]]:
    return [
        m.body
        for m in connection.messages()
        if isinstance(m, NoticeMessage) and m.body.get("type") == kind
    ]


async def test_a_lock_refuses_others_changes_and_goes_with_its_connection() -> None:
    store = MemoryStore()
    async with registry(store) as rooms:
        room = await rooms.acquire("inv")
        room.doc.apply_update(_line_doc().get_update())
        ada, bob = Connection(room, ADA, Limits()), Connection(room, BOB, Limits())
        await joined(room, 2)
        ada.send(encode_notice({"type": "lock", "path": "lines.l1.unit_price"}))
        await wait_until(lambda: notices(bob, "locks"), what="bob told of the lock")
        assert notices(bob, "locks")[-1]["locks"][0]["user"]["name"] == "Ada"
        bob.send(encode_update(_edit(room.doc, "unit_price", "99")))
        await wait_until(lambda: notices(bob, "update_refused"), what="refusal")
        refusal = notices(bob, "update_refused")[0]
        assert refusal["reason"] == "lines.l1.unit_price is locked by Ada"
        assert room.doc.get("lines", type=Array)[0]["unit_price"] == "10"
        bob.send(encode_update(_edit(room.doc, "quantity", "2")))  # another field goes through
        await wait_until(lambda: room.doc.get("lines", type=Array)[0]["quantity"] == "2", what="ok")
        ada.send(encode_update(_edit(room.doc, "unit_price", "12")))  # the holder edits freely
        await wait_until(
            lambda: room.doc.get("lines", type=Array)[0]["unit_price"] == "12", what=""
        )
        bob.send(encode_notice({"type": "lock", "path": "lines.l1"}))
        await wait_until(lambda: notices(bob, "lock_refused"), what="lock refused")
        assert notices(bob, "lock_refused")[0]["held_by"]["name"] == "Ada"
        await ada.close()  # the lock is released at once
        await wait_until(lambda: notices(bob, "locks")[-1]["locks"] == [], what="released")
        await bob.close()
    assert all(b"99" not in entry.data for entry in store.log["inv"])


async def test_leases_expire_and_admins_break_locks() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        limits = Limits(lock_lease_seconds=0.2)
        room.locks.table = LockTable(lease_seconds=0.2, per_owner=4)
        broken: list[tuple[str, str]] = []
        room.locks.on_broken.append(lambda admin, lock: broken.append((admin.user_id, lock.path)))
        ada, bob = Connection(room, ADA, limits), Connection(room, BOB, limits)
        admin, viewer = Connection(room, ADMIN, limits), Connection(room, VIEWER, limits)
        await joined(room, 4)
        ada.send(encode_notice({"type": "lock", "path": "invoice.due_date"}))
        await wait_until(lambda: len(room.locks) == 1, what="locked")
        await wait_until(lambda: len(room.locks) == 0, timeout=2, what="lease expiry")
        assert notices(bob, "locks")[-1]["locks"] == []
        ada.send(encode_notice({"type": "lock", "path": "invoice.notes"}))
        await wait_until(lambda: len(room.locks) == 1, what="locked again")
        bob.send(encode_notice({"type": "break_lock", "path": "invoice.notes"}))
        await wait_until(lambda: notices(bob, "lock_refused"), what="break refused")
        admin.send(encode_notice({"type": "break_lock", "path": "invoice.notes"}))
        await wait_until(lambda: broken == [("u-adm", "invoice.notes")], what="broken")
        assert len(room.locks) == 0
        viewer.send(encode_notice({"type": "lock", "path": "invoice.notes"}))
        await wait_until(lambda: notices(viewer, "lock_refused"), what="viewer refused")
        assert notices(viewer, "lock_refused")[0]["reason"] == "read-only access"
        for connection in (ada, bob, admin, viewer):
            await connection.close()


async def test_twenty_clients_racing_for_a_field_exactly_one_wins_each_round() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        people = [Identity(f"u{i}", f"User {i}", can_edit=True) for i in range(20)]
        connections = [Connection(room, who, Limits()) for who in people]
        await joined(room, 20)
        for round_ in range(5):
            for connection in connections:
                connection.send(encode_notice({"type": "lock", "path": "lines.l1.unit_price"}))
            await wait_until(
                partial(_refused_at_least, connections, 19 * (round_ + 1)),
                what=f"round {round_}",
            )
            now = asyncio.get_running_loop().time()
            holders = {lock.holder.user_id for lock in room.locks.table.holders(now)}
            assert len(holders) == 1
            winner = connections[[p.user_id for p in people].index(holders.pop())]
            winner.send(encode_notice({"type": "unlock", "path": "lines.l1.unit_price"}))
            await wait_until(lambda: len(room.locks) == 0, what="released")
        for connection in connections:
            await connection.close()


async def test_a_user_who_loses_edit_rights_loses_their_locks() -> None:
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        ada, bob = Connection(room, ADA, Limits()), Connection(room, BOB, Limits())
        await joined(room, 2)
        ada.send(encode_notice({"type": "lock", "path": "invoice.due_date"}))
        await wait_until(lambda: len(room.locks) == 1, what="locked")
        room.set_rights("u-ada", can_edit=False)
        assert len(room.locks) == 0
        await wait_until(lambda: notices(bob, "locks")[-1]["locks"] == [], what="bob told")
        await ada.close()
        await bob.close()
