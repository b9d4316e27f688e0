"""A real server SIGKILLed in the middle of a reminder run, restarted: every reminder is recorded
once and reaches the real SMTP server (aiosmtpd) once, the one cut off mid-delivery included."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy import func, select

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices.store import SqlUpdateStore
from server.mail.models import MailMessage
from server.reminders.models import Reminder
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, db_url, new_invoice, wait_for
from tests.smtp_sink import smtp_sink
from tests.test_organization_profile import PROFILE

PEOPLE = {"alice": Role.EDITOR, "abe": Role.APPROVER, "ann": Role.ACCOUNTANT, "adam": Role.ADMIN}
INVOICES = 6


def _document(n: int) -> bytes:
    """Due in 3 days: the default schedule's first step (3 days before) is due today."""
    today = datetime.now(UTC).date()
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    header["issue_date"] = today.isoformat()
    header["due_date"] = (today + timedelta(days=3)).isoformat()
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    customer = {"name": f"Client {n}", "email": f"compta{n}@client.example"}
    header["customer"] = Map({**customer, "address": Map(address)})
    line = {"id": "a", "description": "Audit", "quantity": "1", "unit_price": f"{100 + n}.00"}
    doc.get("lines", type=Array).append(Map({**line, "tax_rate": "20"}))
    return doc.get_update()


async def test_a_server_killed_mid_run_sends_each_reminder_once_after_restart(
    tmp_path: Path,
) -> None:
    with smtp_sink() as (sink, port):
        sink.delay = 0.5  # a slow mail server: the kill lands while one message is in transfer
        env = {"SMTP_URL": f"smtp://127.0.0.1:{port}", "JOB_LEASE_SECONDS": "3"}
        async with server_with(tmp_path, PEOPLE, **env) as (server, made):
            bearer = {name: await token(server, made[name]) for name in made}
            org = made["alice"].org_id
            async with api(server, bearer["adam"]) as http:
                assert (await http.put(f"/api/orgs/{org}/profile", json=PROFILE)).status_code == 200
            engine = create_engine(db_url(tmp_path))
            store = SqlUpdateStore(engine)
            ids = []
            for n in range(INVOICES):
                invoice_id = await new_invoice(tmp_path, made["alice"])
                entry = LogEntry(invoice_id, 1, _document(n), made["alice"].user_id, time.time())
                await store.write([entry], [])
                ids.append(invoice_id)
            await store.aclose()
            for invoice_id in ids:
                for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
                    async with api(server, bearer[who]) as http:
                        r = await http.post(
                            f"/api/invoices/{invoice_id}/transitions", json={"action": action}
                        )
                    assert r.status_code == 200, (action, r.text)
            async with api(server, bearer["ann"]) as http:
                default = (await http.get(f"/api/orgs/{org}/reminders")).json()
                on = {"enabled": True, "steps": default["steps"], "late_interest_rate": None}
                assert (await http.put(f"/api/orgs/{org}/reminders", json=on)).status_code == 200

            async def mid_transfer() -> bool:
                return len(sink.messages) >= 2 and sink.receiving

            await wait_for(mid_transfer, timeout=60, what="the run under way")
            assert await server.stop(signal.SIGKILL) == -signal.SIGKILL
            delivered_before = len(sink.messages)
            assert delivered_before < INVOICES

            again = ServerProcess(tmp_path, **env)
            await again.start()
            try:

                async def all_delivered() -> bool:
                    return len(sink.messages) >= INVOICES

                await wait_for(all_delivered, timeout=90, what="every reminder")
                # Past another lease (3 s) and several polls: nothing more comes.
                await asyncio.sleep(5)
            finally:
                await again.stop()
            recipients = sorted(rcpt for rcpts, _ in sink.messages for rcpt in rcpts)
            assert recipients == sorted(f"compta{n}@client.example" for n in range(INVOICES))
            assert len({str(m["Message-ID"]) for _, m in sink.messages}) == INVOICES
            async with sessions(engine)() as db:
                reminders = await db.scalar(select(func.count()).where(Reminder.status == "sent"))
                mails = (await db.execute(select(MailMessage.status))).scalars().all()
            assert reminders == INVOICES
            assert sorted(mails) == ["sent"] * INVOICES
            await engine.dispose()
