"""The stock Yjs client (yjs + y-websocket) against a real server process over a real socket."""

from __future__ import annotations

from pycrdt import Doc

from tests.conftest import Running
from tests.harness import YjsClients, new_invoice, stored_document, wait_for


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
        client = Doc()
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
