"""Payment reminders through a real SMTP server (aiosmtpd), with an injected clock: the schedule
day by day, French late charges worked by hand, stopped by a payment and by a dispute, a catch-up
after downtime sending only the latest step, a manual reminder, refusals."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.catalog.models import Customer
from server.core.db import create_engine, sessions
from server.exceptions import service as exceptions
from server.exports import service as exports
from server.invoices.store import SqlUpdateStore
from server.jobs import service as jobs
from server.mail import service as mail
from server.mail.smtp import Smtp
from server.payments import service as payments
from server.reminders import service as reminders
from server.reminders.models import Reminder, ReminderOptOut
from tests.access_helpers import api, server_with, token
from tests.harness import Account, db_url, new_invoice
from tests.smtp_sink import Sink, smtp_sink
from tests.test_organization_profile import PROFILE

PEOPLE = {"alice": Role.EDITOR, "abe": Role.APPROVER, "ann": Role.ACCOUNTANT, "adam": Role.ADMIN}
DUE = date(2026, 12, 27)


def _document() -> bytes:
    """One line, 3 x 45.00 EUR at 20 % VAT: 162.00 due on 2026-12-27, a customer with e-mail."""
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    header["issue_date"] = "2026-11-27"
    header["due_date"] = DUE.isoformat()
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map(
        {"name": "Client SA", "email": "compta@client.example", "address": Map(address)}
    )
    line = {"id": "a", "description": "Audit", "quantity": "3", "unit_price": "45.00"}
    doc.get("lines", type=Array).append(Map({**line, "tax_rate": "20"}))
    return doc.get_update()


@dataclass
class World:
    engine: AsyncEngine
    worker: jobs.Worker
    sink: Sink
    invoice_id: str
    people: dict[str, Account]

    async def day(self, when: date) -> None:
        """Run `when`'s sweep and everything it queues, as the server would that day."""
        now = datetime.combine(when, clock_time(9), UTC)
        async with sessions(self.engine).begin() as db:
            await reminders.queue_sweep(db, when)
        while await self.worker.run_once(now):
            pass

    async def log(self) -> list[tuple[int | None, str, str | None]]:
        async with sessions(self.engine)() as db:
            rows = await reminders.log_of(db, self.invoice_id)
        return [(r.step, r.status, r.reason) for r in rows]


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """An issued invoice made through a real server, then the reminder jobs run in this process
    with an injected clock, delivering to a real SMTP server."""
    with smtp_sink() as (sink, port):
        async with server_with(tmp_path, PEOPLE) as (server, made):
            bearer = {name: await token(server, made[name]) for name in made}
            org = made["alice"].org_id
            async with api(server, bearer["adam"]) as http:
                assert (await http.put(f"/api/orgs/{org}/profile", json=PROFILE)).status_code == 200
            invoice_id = await new_invoice(tmp_path, made["alice"])
            engine = create_engine(db_url(tmp_path))
            store = SqlUpdateStore(engine)
            entry = LogEntry(invoice_id, 1, _document(), made["alice"].user_id, time.time())
            await store.write([entry], [])
            for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
                async with api(server, bearer[who]) as http:
                    r = await http.post(
                        f"/api/invoices/{invoice_id}/transitions", json={"action": action}
                    )
                assert r.status_code == 200, (action, r.text)
            async with api(server, bearer["ann"]) as http:
                settings = {
                    "enabled": True,
                    "steps": [
                        {"days": -3, "tone": "friendly"},
                        {"days": 7, "tone": "firm"},
                        {"days": 15, "tone": "firm"},
                        {"days": 30, "tone": "final"},
                    ],
                    "late_interest_rate": "10.15",
                }
                r = await http.put(f"/api/orgs/{org}/reminders", json=settings)
                assert r.status_code == 200, r.text
                # The Factur-X the reminders attach, rendered and kept by the server.
                assert (
                    await http.get(f"/api/invoices/{invoice_id}/facturx.pdf")
                ).status_code == 200
        mail.configure(Smtp.parse(f"smtp://127.0.0.1:{port}"), "Lumière <factures@lumiere.example>")
        jobs.register(reminders.SWEEP, reminders.sweep)
        jobs.register(
            reminders.SEND,
            partial(reminders.send, sessions=sessions(engine), registry=None, store=store),  # type: ignore[arg-type]
        )
        try:
            yield World(engine, jobs.Worker(sessions(engine)), sink, invoice_id, made)
        finally:
            for kind in (reminders.SWEEP, reminders.SEND, mail.DELIVER):
                jobs.register(kind, None)
            mail.configure(None, "Cofacture <no-reply@localhost>")
            await store.aclose()
            await exports.stop_rendering()
            await engine.dispose()


def _bodies(sink: Sink) -> list[tuple[str, str]]:
    found = []
    for _, message in sink.messages:
        body = message.get_body(("plain",))
        assert body is not None
        found.append((str(message["Subject"]), body.get_content()))
    return found


async def test_the_schedule_day_by_day_with_late_charges_until_paid(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.day(date(2026, 12, 20))  # a week before: nothing yet
        assert w.sink.messages == []
        await w.day(date(2026, 12, 24))  # 3 days before: the friendly note
        await w.day(date(2026, 12, 25))  # nothing new
        assert len(w.sink.messages) == 1
        subject, body = _bodies(w.sink)[0]
        assert subject == "Échéance prochaine : facture F2026-000001 de Lumière SARL"
        assert "162.00 EUR" in body and "pénalités" not in body
        [(recipients, first)] = w.sink.messages
        assert recipients == ["compta@client.example"]
        [pdf] = list(first.iter_attachments())
        assert pdf.get_filename() == "F2026-000001.pdf"

        # 7 days late: 162.00 x 10.15 % x 7 / 365 = 0.3153... -> 0.32, plus the 40 EUR
        # indemnity: 202.32 in all.
        await w.day(date(2027, 1, 3))
        subject, body = _bodies(w.sink)[1]
        assert subject.startswith("Relance : facture F2026-000001")
        assert "162.00 EUR restent impayés" in body
        assert "7 jours de retard" in body and "0.32 EUR" in body and "40.00 EUR" in body
        assert "202.32 EUR au total" in body

        # 100.00 paid on Jan 5; 15 days late on Jan 11: 62.00 x 10.15 % x 15 / 365 = 0.2586...
        # -> 0.26; 62.00 + 0.26 + 40.00 = 102.26.
        await _pay(w, "100.00", date(2027, 1, 5))
        await w.day(date(2027, 1, 11))
        subject, body = _bodies(w.sink)[2]
        assert "62.00 EUR restent impayés" in body and "0.26 EUR" in body
        assert "102.26 EUR au total" in body

        # Paid in full: the final step's day comes, nothing is sent.
        await _pay(w, "62.00", date(2027, 1, 20))
        await w.day(date(2027, 1, 26))
        await w.day(date(2027, 3, 1))
        assert len(w.sink.messages) == 3
        assert await w.log() == [(0, "sent", None), (1, "sent", None), (2, "sent", None)]
        async with sessions(w.engine)() as db:
            charged = (await db.scalars(select(Reminder.interest).order_by(Reminder.days))).all()
        assert list(charged) == ["0.00", "0.32", "0.26"]


async def _pay(w: World, amount: str, on: date) -> None:
    entry = payments.Entry(
        kind=payments.Kind.PAYMENT, amount=amount, date=on, method=payments.Method.TRANSFER
    )
    await payments.record(
        sessions(w.engine),
        user_id=w.people["ann"].user_id,
        invoice_id=w.invoice_id,
        entry=entry,
        ip=None,
    )


async def test_after_downtime_only_the_latest_step_goes_and_a_dispute_stops_the_next(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        # Down from before the first step until 16 days late: one reminder, the latest due.
        await w.day(date(2027, 1, 12))
        await w.day(date(2027, 1, 12))  # the same day again: nothing more
        assert [s for s, _ in _bodies(w.sink)] == ["Relance : facture F2026-000001 de Lumière SARL"]
        assert await w.log() == [(2, "sent", None)]
        # The sweep queues the final step, but the customer disputes the invoice before it
        # runs: the step is recorded as skipped, nothing is sent.
        now = datetime.combine(date(2027, 1, 26), clock_time(9), UTC)
        async with sessions(w.engine).begin() as db:
            await reminders.queue_sweep(db, now.date())
        assert await w.worker.run_once(now) == 1  # the sweep alone: the send is queued
        await exceptions.open_exception(
            sessions(w.engine),
            user_id=w.people["ann"].user_id,
            invoice_id=w.invoice_id,
            category="dispute",
            note="the audit was not delivered",
            ip=None,
        )
        while await w.worker.run_once(now):
            pass
        assert len(w.sink.messages) == 1
        assert await w.log() == [(2, "sent", None), (3, "skipped", "the customer disputes it")]
        async with sessions(w.engine)() as db:
            count = await db.scalar(select(func.count()).select_from(Reminder))
        assert count == 2


async def test_a_customer_who_opted_out_gets_no_scheduled_reminder(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        async with sessions(w.engine).begin() as db:
            org = w.people["ann"].org_id
            customer = Customer(
                id=str(uuid.uuid4()), org_id=org, name="client sa", created_at=datetime.now(UTC)
            )
            db.add(customer)
            await db.flush()
            db.add(
                ReminderOptOut(
                    org_id=org,
                    customer_id=customer.id,
                    created_by=w.people["ann"].user_id,
                    created_at=datetime.now(UTC),
                )
            )
        await w.day(date(2027, 1, 3))
        assert w.sink.messages == []
        assert await w.log() == [(1, "skipped", "the customer opted out of reminders")]


async def test_settings_manual_reminders_and_who_may_do_what(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as (server, made):
        bearer = {name: await token(server, made[name]) for name in made}
        org = made["alice"].org_id
        async with api(server, bearer["adam"]) as http:
            assert (await http.put(f"/api/orgs/{org}/profile", json=PROFILE)).status_code == 200
        invoice_id = await new_invoice(tmp_path, made["alice"])
        engine = create_engine(db_url(tmp_path))
        store = SqlUpdateStore(engine)
        entry = LogEntry(invoice_id, 1, _document(), made["alice"].user_id, time.time())
        await store.write([entry], [])
        await store.aclose()
        await engine.dispose()
        url = f"/api/orgs/{org}/reminders"
        async with api(server, bearer["ann"]) as http:
            default = (await http.get(url)).json()
            assert default["enabled"] is False and default.pop("opted_out") == []
            assert [s["days"] for s in default["steps"]] == [-3, 7, 15, 30]
            unordered = {
                "enabled": True,
                "steps": [{"days": 9, "tone": "firm"}, {"days": 2, "tone": "final"}],
            }
            r = await http.put(url, json=unordered)
            assert r.status_code == 400 and "in order" in r.json()["error"], r.text
            r = await http.put(url, json={**default, "late_interest_rate": "ten"})
            assert r.status_code == 400
            # A draft is not owed: no reminder.
            r = await http.post(f"/api/invoices/{invoice_id}/reminders", json={})
            assert r.status_code == 409 and r.json()["code"] == "not_remindable", r.text
        async with api(server, bearer["alice"]) as http:
            assert (await http.get(url)).status_code == 403
            assert (await http.put(url, json=default)).status_code == 403
        for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
            async with api(server, bearer[who]) as http:
                r = await http.post(
                    f"/api/invoices/{invoice_id}/transitions", json={"action": action}
                )
            assert r.status_code == 200, (action, r.text)
        async with api(server, bearer["alice"]) as http:
            r = await http.post(f"/api/invoices/{invoice_id}/reminders", json={})
            assert r.status_code == 403
        async with api(server, bearer["ann"]) as http:
            r = await http.post(
                f"/api/invoices/{invoice_id}/reminders",
                json={"tone": "final", "message": "Merci de régulariser."},
            )
            assert r.status_code == 201, r.text
            assert r.json()["step"] is None and r.json()["tone"] == "final"
            log = (await http.get(f"/api/invoices/{invoice_id}/reminders")).json()["items"]
            sent = (await http.get(f"/api/invoices/{invoice_id}/messages")).json()["items"]
        assert [item["status"] for item in log] == ["sent"]
        [message] = sent
        assert message["status"] == "outbox" and message["purpose"] == "reminder"
        assert message["subject"].startswith("Dernière relance : facture F2026-000001")
        assert "Merci de régulariser." in message["body"]
