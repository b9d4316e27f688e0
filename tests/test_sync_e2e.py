"""The stock Yjs client (yjs + y-websocket) against a real server process over a real socket."""

from __future__ import annotations

import signal
from typing import Any

from pycrdt import Doc
from sqlalchemy import select

from server.core.db import create_engine
from server.invoices.models import InvoiceUpdate
from tests.conftest import Running
from tests.harness import YjsClients, db_url, new_invoice, stored_document, wait_for


async def assert_converged(running: Running, invoice_id: str, yjs: YjsClients, *names: str) -> None:
    """Every client holds exactly what replaying the stored snapshot + log gives."""

    async def same() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        states = [await yjs.state(name) for name in names]
        assert all(s["json"] == stored for s in states), (stored, [s["json"] for s in states])
        return True

    await wait_for(same, what="clients and storage to converge")
    _, doc = await stored_document(running.server.data_dir, invoice_id)
    for name in names:
        # Beyond equal JSON: the client has nothing the server lacks, and vice versa.
        client: Doc[Any] = Doc()
        client.apply_update((await yjs.state(name))["update"])
        assert client.get_update(doc.get_state()) in (b"\x00\x00", b"\x00\x00\x00")
        assert doc.get_update(client.get_state()) in (b"\x00\x00", b"\x00\x00\x00")


async def test_two_clients_sync_and_persist(running: Running, yjs: YjsClients) -> None:
    alice, bob = running.accounts["alice"], running.accounts["bob"]
    invoice_id = await new_invoice(running.server.data_dir, alice)
    for name, account in (("a", alice), ("b", bob)):
        token = await running.server.login(account)
        await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token)
        await yjs.synced(name)

    await yjs.call("set", name="a", key="payment_terms", value="30 days")
    await yjs.call("pushLine", name="b", line={"id": "l1", "description": "Audit", "quantity": "3"})

    async def line_reached_a() -> bool:
        return bool((await yjs.state("a"))["json"]["lines"])

    await wait_for(line_reached_a, what="b's line to reach a")
    await yjs.call("insertText", name="a", line=0, index=5, text=" 2026")

    async def both_have_everything() -> bool:
        for name in ("a", "b"):
            state = (await yjs.state(name))["json"]
            assert state["invoice"].get("payment_terms") == "30 days"
            assert state["lines"] and state["lines"][0]["description"] == "Audit 2026"
        return True

    await wait_for(both_have_everything, what="edits to reach both clients")
    await assert_converged(running, invoice_id, yjs, "a", "b")


async def _open(
    running: Running, yjs: YjsClients, name: str, who: str, invoice_id: str, **kw: object
) -> None:
    token = await running.server.login(running.accounts[who])
    await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token, **kw)


async def test_late_joiner_with_offline_edits(running: Running, yjs: YjsClients) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", "alice", invoice_id)
    await yjs.synced("a")
    await yjs.call("set", name="a", key="currency", value="EUR")
    # b edits before it ever connects: its offline edits must reach the server through the
    # server's sync step 1, and it must receive what a wrote meanwhile.
    await _open(running, yjs, "b", "bob", invoice_id, connect=False)
    await yjs.call("set", name="b", key="buyer_reference", value="PO-77")
    await yjs.call("pushLine", name="b", line={"id": "l1", "description": "Offline line"})
    await yjs.call("connect", name="b")
    await yjs.synced("b")

    async def merged() -> bool:
        for name in ("a", "b"):
            state = (await yjs.state(name))["json"]
            assert state["invoice"] == {"currency": "EUR", "buyer_reference": "PO-77"}
            assert [line["id"] for line in state["lines"]] == ["l1"]
        return True

    await wait_for(merged, what="offline edits and live edits to merge")
    await assert_converged(running, invoice_id, yjs, "a", "b")


async def test_reconnecting_client_sends_edits_made_while_disconnected(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", "alice", invoice_id)
    await _open(running, yjs, "b", "bob", invoice_id)
    await yjs.synced("a")
    await yjs.synced("b")
    await yjs.call("disconnect", name="b")
    await yjs.call("set", name="b", key="payment_terms", value="written offline")
    await yjs.call("set", name="a", key="due_date", value="2026-12-31")
    await yjs.call("connect", name="b")

    async def merged() -> bool:
        for name in ("a", "b"):
            state = (await yjs.state(name))["json"]["invoice"]
            assert state == {"payment_terms": "written offline", "due_date": "2026-12-31"}
        return True

    await wait_for(merged, what="reconnect to merge both sides")
    await assert_converged(running, invoice_id, yjs, "a", "b")


async def test_content_survives_a_server_restart(running: Running, yjs: YjsClients) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", "alice", invoice_id)
    await yjs.synced("a")
    for i in range(5):
        await yjs.call("pushLine", name="a", line={"id": f"l{i}", "description": f"Line {i}"})
    await yjs.call("set", name="a", key="payment_terms", value="Net 30")
    await assert_converged(running, invoice_id, yjs, "a")
    await yjs.call("destroy", name="a")
    assert await running.server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM
    await running.server.start()

    await _open(running, yjs, "fresh", "bob", invoice_id)
    await yjs.synced("fresh")
    state = (await yjs.state("fresh"))["json"]
    assert state["invoice"] == {"payment_terms": "Net 30"}
    assert [line["description"] for line in state["lines"]] == [f"Line {i}" for i in range(5)]
    await assert_converged(running, invoice_id, yjs, "fresh")


async def test_viewer_sees_changes_but_cannot_change_anything(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", "alice", invoice_id)
    await _open(running, yjs, "v", "vera", invoice_id, tab="v")
    await yjs.synced("a")
    await yjs.synced("v")
    await yjs.call("set", name="v", key="buyer_reference", value="viewer wrote this")
    await yjs.call("set", name="a", key="payment_terms", value="Net 15")

    async def viewer_got_it() -> bool:
        return bool((await yjs.state("v"))["json"]["invoice"].get("payment_terms") == "Net 15")

    await wait_for(viewer_got_it, what="the editor's change to reach the viewer")
    assert "buyer_reference" not in (await yjs.state("a"))["json"]["invoice"]

    async def stored() -> dict[str, Any]:  # written behind the broadcast: a peer may see it first
        content, _ = await stored_document(running.server.data_dir, invoice_id)
        return dict(content["invoice"])

    assert await wait_for(stored, what="the editor's change stored") == {"payment_terms": "Net 15"}

    # A client joining later gets everything the room has, and still nothing of the viewer's;
    # no row of the update log comes from the viewer; the viewer's presence still works.
    await _open(running, yjs, "b", "bob", invoice_id, tab="b")
    await yjs.synced("b")
    await yjs.call("set", name="a", key="due_date", value="2026-12-31")

    async def b_has_the_editors_changes_only() -> bool:
        state = (await yjs.state("b"))["json"]["invoice"]
        assert state == {"payment_terms": "Net 15", "due_date": "2026-12-31"}, state
        tabs = {s.get("tab") for s in (await yjs.call("awareness", name="b"))["states"].values()}
        assert "v" in tabs, tabs
        return True

    await wait_for(b_has_the_editors_changes_only, what="b in sync, seeing the viewer present")
    assert "buyer_reference" not in (await yjs.state("a"))["json"]["invoice"]
    authors = await _log_authors(running, invoice_id)
    assert authors and running.accounts["vera"].user_id not in authors
    assert authors == {running.accounts["alice"].user_id}


async def _log_authors(running: Running, invoice_id: str) -> set[str | None]:
    engine = create_engine(db_url(running.server.data_dir))
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(InvoiceUpdate.user_id).where(InvoiceUpdate.invoice_id == invoice_id)
        )
        authors = {row[0] for row in rows}
    await engine.dispose()
    return authors
