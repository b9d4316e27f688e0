"""History and restore against a real server with real Yjs clients (docs/history.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc
from sqlalchemy import select, update

from server.audit.models import AuditEvent
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.documents import document_json
from server.invoices.models import Invoice
from tests.access_helpers import api, token
from tests.conftest import Running, server_with
from tests.harness import YjsClients, db_url, new_invoice, seed, stored_document, wait_for

USERS = {"ada": Role.EDITOR, "bob": Role.EDITOR, "cy": Role.EDITOR, "vera": Role.VIEWER}


@pytest.fixture
async def three(tmp_path: Path) -> AsyncIterator[Running]:
    async with server_with(tmp_path, USERS) as started:
        yield started


async def _history(running: Running, who: str, invoice_id: str, **query: Any) -> Any:
    async with api(running.server, await token(running.server, running.accounts[who])) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/history", params=query)
    assert r.status_code == 200, r.text
    return r.json()


async def _restore(running: Running, who: str, invoice_id: str, seq: int) -> Any:
    async with api(running.server, await token(running.server, running.accounts[who])) as http:
        return await http.post(f"/api/invoices/{invoice_id}/restore", json={"seq": seq})


async def assert_converged(running: Running, invoice_id: str, yjs: YjsClients, *names: str) -> None:
    """Every client holds what replaying the stored log gives, and neither side has anything
    that would change the other's content (tests/test_sync_e2e.py's helper also wants the delete
    sets equal byte for byte; retyping and restoring delete)."""

    async def same() -> bool:
        stored, doc = await stored_document(running.server.data_dir, invoice_id)
        for name in names:
            state = await yjs.state(name)
            assert state["json"] == stored, (name, state["json"], stored)
            merged: Doc[Any] = Doc()
            merged.apply_update(doc.get_update())
            merged.apply_update(state["update"])
            assert document_json(merged) == stored, name
        return True

    await wait_for(same, what="clients and storage to converge")


async def _stored_equals(running: Running, invoice_id: str, expected: dict[str, Any]) -> None:
    async def check() -> bool:
        stored, _ = await stored_document(running.server.data_dir, invoice_id)
        assert stored == expected, stored
        return True

    await wait_for(check, what="the stored document")


async def test_three_editors_timeline_and_restore_converges_everyone(
    three: Running, yjs: YjsClients
) -> None:
    running, ids = three, {name: a.user_id for name, a in three.accounts.items()}
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["ada"])
    for name in ("ada", "bob", "cy"):
        bearer = await running.server.login(running.accounts[name])
        await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=bearer)
        await yjs.synced(name)

    # Ada types the payment terms (one update per keystroke), Bob adds a line: version V.
    await yjs.call("setMany", name="ada", key="payment_terms", count=6, prefix="Net 3")
    line = {"id": "l1", "description": "Audit", "quantity": "2", "unit_price": "100"}
    await yjs.call("pushLine", name="bob", line=line)
    version: dict[str, Any] = {
        "invoice": {"payment_terms": "Net 35"},
        "lines": [line],
        "adjustments": [],
    }
    await _stored_equals(running, invoice_id, version)
    v_seq = (await _history(running, "vera", invoice_id))["items"][0]["seq"]

    # Then Bob types in the description, Cy sets the due date, Ada changes the terms again.
    # Each waits for the one before to be stored: three connections give no order between them
    # otherwise (under load Bob's typing once arrived last), and the order is what is asserted.
    for at, text in ((5, " 2"), (7, "02"), (9, "6")):
        await yjs.call("insertText", name="bob", line=0, index=at, text=text)
    typed = {**version, "lines": [{**line, "description": "Audit 2026"}]}
    await _stored_equals(running, invoice_id, typed)
    await yjs.call("set", name="cy", key="due_date", value="2026-12-31")
    dated = {**typed, "invoice": {"payment_terms": "Net 35", "due_date": "2026-12-31"}}
    await _stored_equals(running, invoice_id, dated)
    await yjs.call("set", name="ada", key="payment_terms", value="Net 60")
    later = {
        "invoice": {"payment_terms": "Net 60", "due_date": "2026-12-31"},
        "lines": [{**line, "description": "Audit 2026"}],
        "adjustments": [],
    }
    await _stored_equals(running, invoice_id, later)
    await assert_converged(running, invoice_id, yjs, "ada", "bob", "cy")

    timeline = (await _history(running, "vera", invoice_id))["items"]  # a viewer reads it
    seen = [
        (e["path"], e["author"]["name"], e["before"], e["after"], e["updates"]) for e in timeline
    ]
    assert seen == [
        # Ada's typing, then her change of the same field: nobody else's in between, one entry.
        ("invoice.payment_terms", "ada", None, "Net 60", 7),
        ("invoice.due_date", "cy", None, "2026-12-31", 1),
        ("lines.l1.description", "bob", "Audit", "Audit 2026", 3),  # typing: one entry
        ("lines.l1", "bob", None, line, 1),
    ]
    assert {e["author"]["id"] for e in timeline} == {ids["ada"], ids["bob"], ids["cy"]}
    assert [e["kind"] for e in timeline] == ["added", "added", "changed", "added"]

    # Pages: newest first, the cursor goes back in time.
    first = await _history(running, "ada", invoice_id, limit=2)
    assert [e["path"] for e in first["items"]] == ["invoice.payment_terms", "invoice.due_date"]
    rest = await _history(running, "ada", invoice_id, before=first["next_before"])
    assert len(rest["items"]) == 2 and rest["next_before"] is None

    # A viewer cannot restore; Cy restores version V: every open client converges to it.
    assert (await _restore(running, "vera", invoice_id, v_seq)).status_code == 403
    r = await _restore(running, "cy", invoice_id, v_seq)
    assert r.status_code == 200, r.text
    restored_seq = r.json()["seq"]
    assert r.json()["restored"] == v_seq and restored_seq > v_seq

    async def everyone_has_version() -> bool:
        for name in ("ada", "bob", "cy"):
            assert (await yjs.state(name))["json"] == version, name
        return True

    await wait_for(everyone_has_version, what="every client to get the restored version")
    await _stored_equals(running, invoice_id, version)
    await assert_converged(running, invoice_id, yjs, "ada", "bob", "cy")

    # The restore is Cy's change in the timeline, and audited.
    top = [
        e for e in (await _history(running, "ada", invoice_id))["items"] if e["seq"] == restored_seq
    ]
    assert sorted((e["path"], e["after"]) for e in top) == [
        ("invoice.due_date", None),
        ("invoice.payment_terms", "Net 35"),
        ("lines.l1.description", "Audit"),
    ]
    assert {e["author"]["name"] for e in top} == {"cy"}
    engine = create_engine(db_url(running.server.data_dir))
    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                select(AuditEvent.actor_id, AuditEvent.detail).where(
                    AuditEvent.event == "invoice.restored"
                )
            )
        ).all()
    await engine.dispose()
    assert [(a, d) for a, d in audited] == [
        (ids["cy"], f"to update {v_seq} by update {restored_seq}")
    ]

    # Editing goes on normally after a restore.
    await yjs.call("set", name="bob", key="buyer_reference", value="PO-1")
    await _stored_equals(
        running,
        invoice_id,
        {**version, "invoice": {**version["invoice"], "buyer_reference": "PO-1"}},
    )
    await assert_converged(running, invoice_id, yjs, "ada", "bob", "cy")


async def test_restore_refusals_and_other_tenants(three: Running, yjs: YjsClients) -> None:
    running = three
    invoice_id = await new_invoice(running.server.data_dir, running.accounts["ada"])
    bearer = await running.server.login(running.accounts["ada"])
    await yjs.call("open", name="ada", url=running.server.ws, room=invoice_id, token=bearer)
    await yjs.synced("ada")
    await yjs.call("set", name="ada", key="currency", value="EUR")
    await _stored_equals(
        running, invoice_id, {"invoice": {"currency": "EUR"}, "lines": [], "adjustments": []}
    )
    await yjs.call("destroy", name="ada")

    r = await _restore(running, "ada", invoice_id, 999)
    assert r.status_code == 400 and "999" in r.json()["error"]

    beta = await seed(running.server.data_dir, org="Beta", users={"ben": Role.ADMIN})
    async with api(running.server, await token(running.server, beta["ben"])) as http:
        assert (await http.get(f"/api/invoices/{invoice_id}/history")).status_code == 404
        r = await http.post(f"/api/invoices/{invoice_id}/restore", json={"seq": 1})
        assert r.status_code == 404 and r.json() == {"error": "no such invoice"}

    # Not a draft: 409 (the room's `frozen` says the same once loaded).
    engine = create_engine(db_url(running.server.data_dir))
    async with engine.begin() as conn:
        await conn.execute(update(Invoice).where(Invoice.id == invoice_id).values(status="issued"))
    await engine.dispose()
    r = await _restore(running, "ada", invoice_id, 1)
    assert r.status_code == 409 and "only drafts" in r.json()["error"]
