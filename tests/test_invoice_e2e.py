"""The invoice as a document, end to end: a stock Yjs client edits, the server computes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Running
from tests.harness import YjsClients, new_invoice, stored_document, wait_for


async def _open(running: Running, yjs: YjsClients, name: str, invoice_id: str) -> None:
    token = await running.server.login(running.accounts["alice"])
    await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token)
    await yjs.synced(name)


async def _api(running: Running) -> httpx.AsyncClient:
    token = await running.server.login(running.accounts["alice"])
    return httpx.AsyncClient(
        timeout=30.0, base_url=running.server.http, headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_client_builds_an_invoice_and_the_server_computes_exact_totals(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", invoice_id)
    await yjs.call("set", name="a", key="currency", value="EUR")
    await yjs.call("set", name="a", key="issue_date", value="2026-11-27")
    await yjs.call("set", name="a", key="due_date", value="2026-12-27")
    await yjs.call("setNested", name="a", key="customer", fields={"name": "Lumière SARL"})
    lines = [
        {
            "id": "a",
            "description": "Audit",
            "quantity": "3",
            "unit_price": "45.00",
            "tax_rate": "21",
        },
        {
            "id": "b",
            "description": "Books",
            "quantity": "4",
            "unit_price": "12.35",
            "tax_rate": "5.5",
        },
        {
            "id": "c",
            "description": "Export",
            "quantity": "1",
            "unit_price": "99.99",
            "tax_rate": "0",
            "tax_category": "Z",  # zero rated: standard rate (S) must be above 0 (BR-S-05)
        },
        {
            "id": "d",
            "description": "Typing",
            "quantity": "12.",
            "unit_price": "1",
            "tax_rate": "20",
        },
    ]
    for line in lines:
        await yjs.call("pushLine", name="a", line=line)
    api = await _api(running)
    async with api:

        async def computed() -> dict[str, Any]:
            body: dict[str, Any] = (await api.get(f"/api/invoices/{invoice_id}")).json()
            assert len(body["lines"]) == 4
            return body

        body = await wait_for(computed, what="all four lines on the server")
        totals = body["totals"]
        # a: 135.00 @21 -> 28.35; b: 49.40 @5.5 -> 2.717 -> 2.72; c: 99.99 @0; d is half-typed.
        assert (totals["net"], totals["tax"], totals["gross"]) == ("284.39", "31.07", "315.46")
        assert sorted(totals["tax_breakdown"], key=lambda g: (g["category"], g["rate"])) == [
            {"category": "S", "rate": "21", "base": "135.00", "amount": "28.35"},
            {"category": "S", "rate": "5.5", "base": "49.40", "amount": "2.72"},
            {"category": "Z", "rate": "0", "base": "99.99", "amount": "0.00"},
        ]
        assert totals["complete"] is False
        [problem] = [p for p in body["validation"] if p["severity"] == "error"]
        assert (problem["path"], problem["code"]) == ("lines.d.quantity", "incomplete")

        # Finishing the half-typed quantity completes the invoice.
        await yjs.call("setLineField", name="a", line=3, key="quantity", value="12.5")

        async def complete() -> dict[str, Any]:
            body = (await api.get(f"/api/invoices/{invoice_id}")).json()
            assert body["totals"]["complete"], body["validation"]
            return dict(body["totals"])

        totals = await wait_for(complete, what="the completed quantity")
        assert (totals["net"], totals["tax"], totals["gross"]) == ("296.89", "33.57", "330.46")

        async def listed() -> dict[str, Any]:
            page = (await api.get("/api/invoices", params={"q": "lumi", "sort": "-gross"})).json()
            assert page["total"] == 1
            item: dict[str, Any] = page["items"][0]
            assert item["totals"]["gross"] == "330.46"
            return item

        item = await wait_for(listed, what="the debounced totals in the listing")
        assert item["customer_name"] == "Lumière SARL" and item["due_date"] == "2026-12-27"


async def test_a_refused_edit_is_undone_for_its_sender_and_never_seen_by_others(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", invoice_id)
    await _open(running, yjs, "b", invoice_id)
    await yjs.call("set", name="a", key="payment_terms", value="Net 30")
    await yjs.call("set", name="a", key="colour", value="SECRET-RED")  # not in the schema

    async def a_told_and_undone() -> bool:
        status = await yjs.call("status", name="a")
        assert status["notices"] and status["notices"][0]["type"] == "update_refused"
        assert status["notices"][0]["paths"] == ["invoice.colour"]
        assert status["notices"][0]["resync"] is False
        assert (await yjs.state("a"))["json"]["invoice"] == {"payment_terms": "Net 30"}
        return bool(status["wsconnected"])  # and a stays connected

    await wait_for(a_told_and_undone, what="the refusal and its compensation")
    await yjs.call("set", name="a", key="buyer_reference", value="PO-1")  # a goes on editing

    async def converged() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        expected = {"payment_terms": "Net 30", "buyer_reference": "PO-1"}
        assert stored["invoice"] == expected
        for name in ("a", "b"):
            assert (await yjs.state(name))["json"]["invoice"] == expected
        return True

    await wait_for(converged, what="everyone equal to the server")
    b_state = (await yjs.state("b"))["update"]
    assert b"SECRET-RED" not in b_state


async def test_structural_damage_is_refused_and_a_fresh_client_resyncs(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", invoice_id)
    await _open(running, yjs, "b", invoice_id)
    await yjs.call("set", name="b", key="payment_terms", value="Net 30")
    await yjs.call("damage", name="a")

    async def a_refused() -> bool:
        status = await yjs.call("status", name="a")
        assert status["notices"] and status["notices"][0]["resync"] is True
        assert any(close and close["code"] == 4001 for close in status["closes"])
        return True

    await wait_for(a_refused, what="the refusal with resync")
    # The documented recovery: drop the local copy and open a fresh one.
    await yjs.call("destroy", name="a")
    await _open(running, yjs, "a2", invoice_id)

    async def converged() -> bool:
        stored, doc = await stored_document(running.server.data_dir, invoice_id)
        assert "scratch" not in set(doc.keys())
        for name in ("a2", "b"):
            assert (await yjs.state(name))["json"] == stored
        return True

    await wait_for(converged, what="the fresh client and the others equal to the server")
    b_state = (await yjs.state("b"))["update"]
    assert b"damaged" not in b_state


async def test_allowances_and_charges_sync_are_stored_and_malformed_ones_refused(
    running: Running, yjs: YjsClients
) -> None:
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["alice"])
    await _open(running, yjs, "a", invoice_id)
    await _open(running, yjs, "b", invoice_id)
    charge = {"id": "c1", "type": "charge", "amount": "12.50", "reason": "Freight"}
    await yjs.call("pushRow", name="a", root="adjustments", row=charge)

    async def b_has_it_and_it_is_stored() -> bool:
        assert (await yjs.state("b"))["json"]["adjustments"] == [charge]
        stored, _ = await stored_document(running.server.data_dir, invoice_id)  # reopened
        assert stored["adjustments"] == [charge]
        return True

    await wait_for(b_has_it_and_it_is_stored, what="the charge at b and in storage")
    # An unknown field: refused, undone for a, never seen by b.
    bad = {"id": "c2", "amount": "1", "secret": "SECRET-FIELD"}
    await yjs.call("pushRow", name="a", root="adjustments", row=bad)

    async def a_told_and_undone() -> bool:
        status = await yjs.call("status", name="a")
        assert status["notices"] and status["notices"][-1]["type"] == "update_refused"
        assert status["notices"][-1]["paths"] == ["adjustments.c2"]
        assert (await yjs.state("a"))["json"]["adjustments"] == [charge]
        return bool(status["wsconnected"])

    await wait_for(a_told_and_undone, what="the refusal and its compensation")
    await yjs.call("set", name="a", key="buyer_reference", value="PO-1")  # a goes on editing

    async def converged() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        assert stored["invoice"] == {"buyer_reference": "PO-1"}
        assert stored["adjustments"] == [charge]
        for name in ("a", "b"):
            assert (await yjs.state(name))["json"] == stored
        return True

    await wait_for(converged, what="everyone equal to the server")
    assert b"SECRET-FIELD" not in (await yjs.state("b"))["update"]
