"""Locks with real Yjs clients and a raw-protocol client, against a real server."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, TransactionEvent
from sqlalchemy import select
from websockets.asyncio.client import connect

from collab.sync.protocol import NoticeMessage, SyncMessage, decode_message, encode_update
from server.audit.models import AuditEvent
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from tests.conftest import Running
from tests.harness import YjsClients, db_url, new_invoice, seed, stored_document, wait_for

PATH = "lines.l1.unit_price"


async def _open(running: Running, yjs: YjsClients, name: str, who: str, invoice_id: str) -> None:
    token = await running.server.login(running.accounts[who])
    await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token)
    await yjs.synced(name)


async def _notices(yjs: YjsClients, name: str, kind: str) -> list[dict[str, Any]]:
    notices = (await yjs.call("status", name=name))["notices"]
    return [n for n in notices if n.get("type") == kind]


async def _line(yjs: YjsClients, name: str) -> dict[str, Any]:
    lines = (await yjs.state(name))["json"]["lines"]
    return dict(lines[0]) if lines else {}


async def test_a_locked_field_refuses_others_and_frees_when_its_holder_leaves(
    running: Running, yjs: YjsClients
) -> None:
    running.accounts.update(await seed(running.server.data_dir, users={"ann": Role.ADMIN}))
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", "alice", invoice_id)
    await _open(running, yjs, "b", "bob", invoice_id)
    line = {"id": "l1", "description": "Audit", "quantity": "1", "unit_price": "10"}
    await yjs.call("pushLine", name="a", line=line)

    async def b_has_the_line() -> bool:
        return (await _line(yjs, "b")).get("unit_price") == "10"

    await wait_for(b_has_the_line, what="the line at b")
    await yjs.call("notice", name="a", body={"type": "lock", "path": PATH})

    async def b_sees_the_lock() -> bool:
        locks = await _notices(yjs, "b", "locks")
        assert locks and locks[-1]["locks"][0]["path"] == PATH
        assert locks[-1]["locks"][0]["user"]["name"] == "alice"
        return True

    await wait_for(b_sees_the_lock, what="b told of a's lock")
    await yjs.call("setLineField", name="b", line=0, key="unit_price", value="99")
    await yjs.call("setLineField", name="b", line=0, key="quantity", value="2")

    async def refused_and_back_in_sync() -> bool:
        refusals = await _notices(yjs, "b", "update_refused")
        assert refusals and refusals[0]["reason"] == f"{PATH} is locked by alice"
        for name in ("a", "b"):
            line = await _line(yjs, name)
            assert (line["unit_price"], line["quantity"]) == ("10", "2"), (name, line)
        return True

    await wait_for(refused_and_back_in_sync, what="b's locked change undone, its other change kept")
    stored, _ = await stored_document(running.server.data_dir, invoice_id)
    assert stored["lines"][0]["unit_price"] == "10"

    # A raw protocol client that ignores locks gets the same treatment.
    token = await running.server.login(running.accounts["bob"])
    async with connect(f"{running.server.ws}/{invoice_id}?token={token}") as raw:
        doc: Doc[Any] = Doc()
        while True:
            message = decode_message(await raw.recv())  # type: ignore[arg-type]
            if isinstance(message, SyncMessage) and message.kind == 0:
                break
        stored_update = (await yjs.state("a"))["update"]
        doc.apply_update(stored_update)
        captured: list[bytes] = []

        def capture(event: TransactionEvent) -> None:
            captured.append(event.update)

        doc.observe(capture)
        doc.get("lines", type=Array)[0]["unit_price"] = "0.01"
        await raw.send(encode_update(captured[0]))
        while True:
            message = decode_message(await raw.recv())  # type: ignore[arg-type]
            if isinstance(message, NoticeMessage) and message.body["type"] == "update_refused":
                assert message.body["paths"] == [PATH]
                break
    assert (await _line(yjs, "a"))["unit_price"] == "10"

    # An admin breaks the lock: everyone is told, and it is recorded.
    await _open(running, yjs, "admin", "ann", invoice_id)
    await yjs.call("notice", name="admin", body={"type": "break_lock", "path": PATH})

    async def lock_gone() -> bool:
        locks = await _notices(yjs, "b", "locks")
        return bool(locks and locks[-1]["locks"] == [])

    await wait_for(lock_gone, what="the broken lock gone for b")
    engine = create_engine(db_url(running.server.data_dir))

    async def recorded() -> bool:
        async with sessions(engine)() as db:
            rows = (
                await db.scalars(select(AuditEvent).where(AuditEvent.event == "lock.broken"))
            ).all()
        assert len(rows) == 1 and rows[0].actor_id == running.accounts["ann"].user_id
        assert PATH in (rows[0].target or "")
        return True

    try:
        await wait_for(recorded, what="the break in the audit log")
    finally:
        await engine.dispose()

    # Taking it again and leaving: the lock goes with the connection, at once.
    await yjs.call("notice", name="a", body={"type": "lock", "path": PATH})

    async def locked_again() -> bool:
        locks = await _notices(yjs, "b", "locks")
        return bool(locks and locks[-1]["locks"])

    await wait_for(locked_again, what="a's second lock")
    await yjs.call("destroy", name="a")
    await wait_for(lock_gone, timeout=1.0, what="the lock released when a left")
