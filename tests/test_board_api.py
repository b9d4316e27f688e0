"""GET /api/board and the priority weights on a real server: cards and their stages (overdue
from a past due date), priority reasons, filters, sort, admin-only weights, tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from server.auth.permissions import Role
from server.board.schemas import Board
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice
from server.workflow.models import WorkflowState
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import db_url, new_invoice, seed

PAST_DUE = "2020-01-01"


async def _set(data_dir: Path, invoice_id: str, **columns: Any) -> None:
    """Give an invoice its summary columns as the server derives them (and its assignee)."""
    assignee = columns.pop("assignee", None)
    engine = create_engine(db_url(data_dir))
    async with sessions(engine).begin() as db:
        await db.execute(update(Invoice).where(Invoice.id == invoice_id).values(**columns))
        if assignee is not None:
            db.add(WorkflowState(invoice_id=invoice_id, version=1, assignee_id=assignee))
    await engine.dispose()


async def _invoices(running: Running) -> dict[str, str]:
    """Four invoices of Acme on the board, a discarded one, and one of another organization."""
    data, alice = running.server.data_dir, running.accounts["alice"]
    soon = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    made = {name: await new_invoice(data, alice) for name in ("late", "draft", "soon", "gone")}
    await _set(
        data,
        made["late"],
        status="issued",
        number="F2026-000001",
        customer_name="Key Corp",
        gross="12400.00",
        currency="EUR",
        due_date=PAST_DUE,
    )
    await _set(data, made["draft"], customer_name="Small SARL", gross="500.00")
    await _set(
        data,
        made["soon"],
        status="submitted",
        customer_name="Other SA",
        customer_vat_id="FR40303265045",
        gross="3000.00",
        due_date=soon,
        assignee=alice.user_id,
    )
    await _set(data, made["gone"], status="discarded", customer_name="Gone")
    other = await seed(data, org="Globex", users={"gus": Role.ADMIN})
    made["foreign"] = await new_invoice(data, other["gus"])
    running.accounts.update(other)
    return made


async def _board(running: Running, who: str, **params: Any) -> list[dict[str, Any]]:
    async with api(running.server, await token(running.server, running.accounts[who])) as http:
        r = await http.get("/api/board", params=params)
    assert r.status_code == 200, r.text
    Board.model_validate(r.json())  # the declared shape, reasons included
    cards: list[dict[str, Any]] = r.json()["cards"]
    return cards


async def test_cards_stages_priority_filters_and_sort(running: Running) -> None:
    made = await _invoices(running)
    alice = await token(running.server, running.accounts["alice"])
    async with api(running.server, alice) as http:
        r = await http.post("/api/customers", json={"name": "Key Corp", "importance": "key"})
        assert r.status_code == 201, r.text
        # Matched by VAT id before the name: "Other SA" is important under another name.
        body = {
            "name": "Other (catalogue name)",
            "vat_id": "FR40303265045",
            "importance": "important",
        }
        assert (await http.post("/api/customers", json=body)).status_code == 201
        r = await http.post(
            f"/api/invoices/{made['draft']}/comments",
            json={"anchor": {"path": "invoice.due_date"}, "body": "check the price"},
        )
        assert r.status_code == 201, r.text

    cards = {card["id"]: card for card in await _board(running, "vera")}  # viewers read it
    assert set(cards) == {made["late"], made["draft"], made["soon"]}  # not discarded, not Globex
    late = cards[made["late"]]
    assert (late["status"], late["stage"], late["number"]) == ("issued", "overdue", "F2026-000001")
    overdue_days = (datetime.now(UTC).date() - datetime(2020, 1, 1).date()).days
    assert late["priority"] == {
        # amount 27.91 + due (late > 30 days) 40 + key account 20 = 87.91
        "score": 88,
        "reasons": [
            {"code": "overdue", "days": overdue_days},
            {"code": "amount", "value": "12400.00", "currency": "EUR"},
            {"code": "key_account"},
        ],
    }
    soon = cards[made["soon"]]
    assert soon["stage"] == "submitted"
    assert soon["assignee"] == {"id": running.accounts["alice"].user_id, "name": "alice"}
    # amount log10(30)/3 = 0.4924 -> 19.70; due in 2 days 17.14; important 10: 46.84
    assert soon["priority"]["score"] == 47
    assert [r["code"] for r in soon["priority"]["reasons"]] == [
        "amount",
        "due_in",
        "important_customer",
    ]
    draft = cards[made["draft"]]
    assert (draft["stage"], draft["number"], draft["threads"]) == ("draft", None, 1)
    assert (
        draft["customer"] == "Small SARL" and draft["present"] == [] and draft["exceptions"] == []
    )

    ids = lambda cards: [c["id"] for c in cards]  # noqa: E731
    assert ids(await _board(running, "alice")) == [made["late"], made["soon"], made["draft"]]
    assert ids(await _board(running, "alice", sort="amount")) == ids(await _board(running, "alice"))
    assert ids(await _board(running, "alice", sort="due")) == [
        made["late"],
        made["soon"],
        made["draft"],
    ]
    assert ids(await _board(running, "alice", mine="true")) == [made["soon"]]
    assert ids(await _board(running, "bob", mine="true")) == []
    alice_id = running.accounts["alice"].user_id
    assert ids(await _board(running, "bob", assignee=alice_id)) == [made["soon"]]
    assert ids(await _board(running, "bob", customer="corp")) == [made["late"]]
    assert ids(await _board(running, "bob", min="400", max="3000")) == [made["soon"], made["draft"]]
    assert ids(await _board(running, "bob", due_from="2019-12-31", due_to="2020-01-01")) == [
        made["late"]
    ]
    async with api(running.server, alice) as http:
        r = await http.get("/api/board", params={"sort": "random"})
        assert r.status_code == 400
        # Another organization's board is the same 404 as an unknown one.
        org = running.accounts["gus"].org_id
        assert (await http.get("/api/board", params={"org": org})).status_code == 404


async def test_weights_are_admin_only_audited_and_rescore(running: Running) -> None:
    made = await _invoices(running)
    running.accounts.update(await seed(running.server.data_dir, users={"adam": Role.ADMIN}))
    org = running.accounts["alice"].org_id
    path = f"/api/orgs/{org}/priority-weights"
    admin = await token(running.server, running.accounts["adam"])
    alice = await token(running.server, running.accounts["alice"])
    async with api(running.server, alice) as http:
        assert (await http.get(path)).status_code == 403
        assert (
            await http.put(path, json={"amount": 1, "due": 1, "customer": 1})
        ).status_code == 403
    async with api(running.server, admin) as http:
        assert (await http.get(path)).json() == {"amount": 40, "due": 40, "customer": 20}
        r = await http.put(path, json={"amount": 101, "due": 0, "customer": 0})
        assert r.status_code == 400
        r = await http.put(path, json={"amount": 0, "due": 100, "customer": 0})
        assert r.json() == {"amount": 0, "due": 100, "customer": 0}
        events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 20})).json()
        gus = await token(running.server, running.accounts["gus"])
    assert any(
        e["event"] == "org.priority_weights_changed"
        and e["detail"] == "amount 40, due 40, customer 20 -> amount 0, due 100, customer 0"
        for e in events["items"]
    )
    async with api(running.server, gus) as http:  # another tenant's admin
        assert (await http.get(path)).status_code == 404
        assert (
            await http.put(path, json={"amount": 0, "due": 0, "customer": 0})
        ).status_code == 404
    cards = {c["id"]: c for c in await _board(running, "alice")}
    assert cards[made["late"]]["priority"] == {
        "score": 100,
        "reasons": [
            {"code": "overdue", "days": cards[made["late"]]["priority"]["reasons"][0]["days"]}
        ],
    }
    assert cards[made["draft"]]["priority"] == {"score": 0, "reasons": []}
