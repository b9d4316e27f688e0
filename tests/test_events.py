"""Domain events (server/events): each type emitted by its real cause through the API, with the
contract's data (docs/integrations.md); a cause that rolls back emits nothing; invoice.overdue
once per invoice however many days' sweeps see it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Array, Doc, Map
from sqlalchemy import func, select

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.events import service as events
from server.events.models import EventRow
from server.invoices import service as invoices
from server.invoices.store import SqlUpdateStore
from server.jobs import service as jobs
from server.jobs.models import Job
from server.payments import service as payments
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, db_url
from tests.test_organization_profile import PROFILE

PEOPLE = {"alice": Role.EDITOR, "abe": Role.APPROVER, "ann": Role.ACCOUNTANT, "adam": Role.ADMIN}


def document() -> bytes:
    """One line, 3 x 45.00 EUR at 20 % VAT: 135.00 + 27.00 = 162.00, due 2026-12-27."""
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = "2026-12-27"
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map({"name": "Client SA", "address": Map(address)})
    line = {"id": "a", "description": "Audit", "quantity": "3", "unit_price": "45.00"}
    doc.get("lines", type=Array).append(Map({**line, "tax_rate": "20"}))
    return doc.get_update()


@dataclass
class Org:
    server: ServerProcess
    data_dir: Path
    ids: dict[str, str]  # name -> user id
    bearer: dict[str, str]
    org_id: str

    async def post(self, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with api(self.server, self.bearer[who]) as http:
            r = await http.post(path, json=body)
        assert r.status_code in (200, 201), (path, r.status_code, r.text)
        answer: dict[str, Any] = r.json()
        return answer

    async def events(self, type_: str | None = None) -> list[EventRow]:
        engine = create_engine(db_url(self.data_dir))
        try:
            async with sessions(engine)() as db:
                query = select(EventRow).order_by(EventRow.at)
                if type_ is not None:
                    query = query.where(EventRow.type == type_)
                return list(await db.scalars(query))
        finally:
            await engine.dispose()

    async def new_invoice(self) -> str:
        """A draft through the API, its content written to the store (as an editor's would)."""
        invoice_id = str((await self.post("alice", "/api/invoices", {}))["id"])
        engine = create_engine(db_url(self.data_dir))
        store = SqlUpdateStore(engine)
        await store.write([LogEntry(invoice_id, 1, document(), self.ids["alice"], time.time())], [])
        await store.aclose()
        await engine.dispose()
        return invoice_id

    async def act(self, who: str, invoice_id: str, action: str, **extra: str) -> None:
        path = f"/api/invoices/{invoice_id}/transitions"
        await self.post(who, path, {"action": action, **extra})

    async def issued_invoice(self) -> str:
        invoice_id = await self.new_invoice()
        for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
            await self.act(who, invoice_id, action)
        return invoice_id


@asynccontextmanager
async def organization(tmp_path: Path) -> AsyncIterator[Org]:
    async with server_with(tmp_path, PEOPLE) as (server, made):
        bearer = {name: await token(server, made[name]) for name in made}
        org = Org(
            server,
            tmp_path,
            {name: a.user_id for name, a in made.items()},
            bearer,
            made["alice"].org_id,
        )
        async with api(server, bearer["adam"]) as http:
            r = await http.put(f"/api/orgs/{org.org_id}/profile", json=PROFILE)
            assert r.status_code == 200, r.text
        yield org


def facts(invoice_id: str, status: str, number: str | None = None) -> dict[str, Any]:
    """The invoice part of the contract for the document above (162.00 worked by hand)."""
    return {
        "invoice_id": invoice_id,
        "number": number,
        "customer_name": "Client SA",
        "currency": "EUR",
        "gross": "162.00",
        "status": status,
        "kind": "invoice",
    }


def data(row: EventRow) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(row.data)
    return found


async def test_each_event_comes_from_its_cause_with_the_contracts_data(tmp_path: Path) -> None:
    async with organization(tmp_path) as org:
        ids = org.ids
        invoice_id = await org.new_invoice()
        [created] = await org.events("invoice.created")
        assert created.id.startswith("msg_") and len(created.id) == 36
        assert created.org_id == org.org_id and created.actor_id == ids["alice"]
        assert data(created) == {
            "invoice_id": invoice_id,
            "number": None,
            "customer_name": None,  # a new draft is empty
            "currency": "EUR",
            "gross": "0.00",
            "status": "draft",
            "kind": "invoice",
        }

        await org.act("alice", invoice_id, "submit")
        [submitted] = await org.events("invoice.submitted")
        # Who may approve: the approver and the admin; alice (the creator, an editor) not.
        approvers = sorted([ids["abe"], ids["adam"]])
        assert data(submitted) == {**facts(invoice_id, "submitted"), "approver_ids": approvers}
        await org.act("abe", invoice_id, "reject", reason="Wrong customer")
        [rejected] = await org.events("invoice.rejected")
        # A rejection sends the invoice back to draft (SPEC 4): the status it has now.
        assert data(rejected) == {**facts(invoice_id, "draft"), "reason": "Wrong customer"}
        assert rejected.actor_id == ids["abe"]
        await org.act("alice", invoice_id, "submit")
        await org.act("abe", invoice_id, "approve")
        [approved] = await org.events("invoice.approved")
        assert data(approved) == facts(invoice_id, "approved")
        await org.act("abe", invoice_id, "issue")
        [issued] = await org.events("invoice.issued")
        assert data(issued) == facts(invoice_id, "issued", "F2026-000001")

        # A part payment: payment.recorded only; the rest: payment.recorded and invoice.paid.
        path = f"/api/invoices/{invoice_id}/payments"
        first = await org.post(
            "ann", path, {"amount": "100.00", "date": "2026-12-01", "method": "transfer"}
        )
        [recorded] = await org.events("payment.recorded")
        assert data(recorded) == {
            **facts(invoice_id, "partially_paid", "F2026-000001"),
            "payment_id": first["id"],
            "amount": "100.00",
            "paid_on": "2026-12-01",
        }
        assert await org.events("invoice.paid") == []
        await org.post("ann", path, {"amount": "62.00", "date": "2026-12-02", "method": "transfer"})
        [paid] = await org.events("invoice.paid")
        assert data(paid) == facts(invoice_id, "paid", "F2026-000001")
        assert paid.actor_id == ids["ann"]

        body = "Please check @abe " + "x" * 300
        thread = await org.post(
            "ann",
            f"/api/invoices/{invoice_id}/comments",
            {"anchor": {"path": "invoice.payment_terms"}, "body": body},
        )
        # The rejection's reason was a comment too (its thread on the whole invoice).
        reason, comment = await org.events("comment.created")
        assert data(reason)["excerpt"] == "Wrong customer"
        assert data(comment) == {
            "invoice_id": invoice_id,
            "thread_id": thread["id"],
            "comment_id": thread["comments"][0]["id"],
            "author_id": ids["ann"],
            "excerpt": body[:200],
            "mentioned_user_ids": [ids["abe"]],
        }

        opened = await org.post(
            "ann",
            f"/api/invoices/{invoice_id}/exceptions",
            {"category": "dispute", "note": "The client disputes line 1"},
        )
        [exception] = await org.events("exception.opened")
        expected = {
            "invoice_id": invoice_id,
            "exception_id": opened["id"],
            "category": "dispute",
            "expert_id": None,  # no expert for disputes: routed to the admins
            "summary": "The client disputes line 1",
        }
        assert data(exception) == expected
        await org.post(
            "adam", f"/api/exceptions/{opened['id']}/resolve", {"resolution": "Credited"}
        )
        [resolved] = await org.events("exception.resolved")
        assert data(resolved) == {**expected, "resolution": "Credited"}
        assert resolved.actor_id == ids["adam"]

        # Every event was dispatched once by the server's worker (no subscriber here).
        engine = create_engine(db_url(org.data_dir))
        async with sessions(engine)() as db:
            kinds = await db.execute(
                select(Job.status, func.count())
                .where(Job.kind == events.DISPATCH)
                .group_by(Job.status)
            )
            counted = dict(kinds.all())
        await engine.dispose()
        assert sum(counted.values()) == len(await org.events())
        assert set(counted) <= {"done", "queued", "running"}


async def test_refused_and_rolled_back_causes_emit_nothing(tmp_path: Path) -> None:
    async with organization(tmp_path) as org:
        invoice_id = await org.new_invoice()
        before = [row.id for row in await org.events()]
        # Refused by the rules: the creator approving, a payment on a draft.
        async with api(org.server, org.bearer["alice"]) as http:
            await org.act("alice", invoice_id, "submit")
            r = await http.post(
                f"/api/invoices/{invoice_id}/transitions", json={"action": "approve"}
            )
            assert r.status_code == 403, r.text
        submitted = [row.id for row in await org.events()]
        assert len(submitted) == len(before) + 1
        async with api(org.server, org.bearer["ann"]) as http:
            r = await http.post(
                f"/api/invoices/{invoice_id}/payments",
                json={"amount": "1.00", "date": "2026-12-01", "method": "transfer"},
            )
            assert r.status_code == 409, r.text
        assert [row.id for row in await org.events()] == submitted

        # A cause that emitted and then failed in its transaction: neither event nor job.
        engine = create_engine(db_url(org.data_dir))
        with pytest.raises(RuntimeError):
            async with sessions(engine).begin() as db:
                made = await invoices.create_invoice(
                    db, user_id=org.ids["alice"], org_id=org.org_id
                )
                assert made.id
                raise RuntimeError("the cause fails after its event")
        async with sessions(engine)() as db:
            queued = await db.scalar(select(func.count()).where(Job.kind == events.DISPATCH))
        await engine.dispose()
        assert [row.id for row in await org.events()] == submitted
        assert queued == len(submitted)


async def test_overdue_once_per_invoice_from_the_daily_sweep(tmp_path: Path) -> None:
    async with organization(tmp_path) as org:
        invoice_id = await org.issued_invoice()  # 162.00 due 2026-12-27
        await org.post(
            "ann",
            f"/api/invoices/{invoice_id}/payments",
            {"amount": "100.00", "date": "2026-12-01", "method": "transfer"},
        )
    engine = create_engine(db_url(tmp_path))
    worker = jobs.Worker(sessions(engine))
    for kind, handler in (
        (payments.OVERDUE_SWEEP, payments.sweep_overdue),
        (payments.OVERDUE, payments.emit_overdue),
    ):
        jobs.register(kind, handler)
    try:
        for day in (date(2026, 12, 27), date(2026, 12, 28), date(2026, 12, 29)):
            now = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            async with sessions(engine).begin() as db:
                await payments.queue_overdue(db, now)
            while await worker.run_once(now):
                pass
            overdue = await Org(None, tmp_path, {}, {}, "").events("invoice.overdue")  # type: ignore[arg-type]
            # Due on the 27th: not overdue that day; the 28th once; the 29th nothing more.
            assert len(overdue) == (0 if day.day == 27 else 1), day
    finally:
        for kind in (payments.OVERDUE_SWEEP, payments.OVERDUE):
            jobs.register(kind, None)
        await engine.dispose()
    assert data(overdue[0]) == {
        **facts(invoice_id, "partially_paid", "F2026-000001"),
        "due_date": "2026-12-27",
        "outstanding": "62.00",
    }
