"""The e-invoicing outbox: the file-drop adapter, the dispatcher's retries, leases and shared
claims on SQLite and PostgreSQL, and an issued invoice reaching the drop directory end to end."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from collab.sync import LogEntry
from server.auth.models import Organization, User
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.exports.validation import check_cii
from server.invoices.models import Invoice
from server.invoices.store import SqlUpdateStore
from server.platforms import service as platforms
from server.platforms.adapters import FileDrop, Receipt, Submission, TransmissionError
from server.platforms.models import Transmission
from tests.access_helpers import api, server_with, token
from tests.databases import KINDS, migrated_database
from tests.harness import Account, db_url, new_invoice, wait_for
from tests.test_organization_profile import PROFILE
from tests.test_workflow_api import _valid_update

XML = b"<rsm:CrossIndustryInvoice/>"


def _submission(number: str = "F2026-000001", xml: bytes = XML) -> Submission:
    return Submission("k1", "inv-1", "org-1", number, "cii", xml)


async def test_the_file_drop_writes_whole_files_once(tmp_path: Path) -> None:
    drop = FileDrop(tmp_path)
    receipt = await drop.transmit(_submission("F2026/03-7"))
    assert receipt == Receipt("org-1/F2026_03-7.xml")  # "/" is legal in a number, not a name
    assert (tmp_path / "org-1" / "F2026_03-7.xml").read_bytes() == XML
    manifest = json.loads((tmp_path / "org-1" / "F2026_03-7.json").read_text())
    assert manifest["number"] == "F2026/03-7" and manifest["key"] == "k1"
    assert not list(tmp_path.rglob(".*.tmp"))  # no half-written file left behind
    # At least once: the same submission again is the same deposit, not a second one.
    assert await drop.transmit(_submission("F2026/03-7")) == receipt
    with pytest.raises(TransmissionError) as refused:
        await drop.transmit(_submission("F2026/03-7", b"<another/>"))
    assert not refused.value.retry  # never overwritten, never retried
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(TransmissionError) as failed:
        await FileDrop(blocked).transmit(_submission())
    assert failed.value.retry  # the disk may come back


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [platforms.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


class Flaky:
    """An adapter that fails `failures` times (retryably), then takes everything."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.seen: list[str] = []

    async def transmit(self, submission: Submission) -> Receipt:
        self.seen.append(submission.key)
        if self.failures > 0:
            self.failures -= 1
            raise TransmissionError("platform busy", retry=True)
        return Receipt(f"deposit-{submission.key}")


@pytest.fixture(params=KINDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as url:
        args = {"timeout": 30} if url.startswith("sqlite") else {}
        made = create_async_engine(url, poolclass=NullPool, connect_args=args)
        yield made
        await made.dispose()


async def _queued(engine: AsyncEngine, count: int) -> list[str]:
    """`count` invoices of a new organization, each with a pending transmission."""
    now = datetime.now(UTC)
    org_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
    ids = []
    async with sessions(engine).begin() as db:
        db.add(Organization(id=org_id, name=f"Org {org_id[:8]}", created_at=now))
        db.add(
            User(id=user_id, email=f"{user_id}@x.test", name="U", password_hash="-", created_at=now)
        )
        await db.flush()
        for _ in range(count):
            invoice = Invoice(
                id=str(uuid.uuid4()), org_id=org_id, created_by=user_id, created_at=now
            )
            db.add(invoice)
            await db.flush()
            await platforms.queue_at_issue(db, invoice.id, org_id)
            ids.append(invoice.id)
    return ids


async def _rows(engine: AsyncEngine) -> list[Transmission]:
    async with sessions(engine)() as db:
        return list(await db.scalars(select(Transmission)))


async def test_retries_back_off_and_a_dead_lease_is_claimed_again(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Flaky(failures=2)
    platforms.configure({adapter.name: adapter})
    monkeypatch.setattr(platforms, "_submission", _fake_submission)
    [invoice_id] = await _queued(engine, 1)
    dispatcher = platforms.Dispatcher(sessions(engine))
    start = datetime.now(UTC)
    assert await dispatcher.run_once(start) == 1  # fails: back off 30 s
    [row] = await _rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "platform busy")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - start >= timedelta(seconds=30)
    assert await dispatcher.run_once(start + timedelta(seconds=10)) == 0  # not due yet
    assert await dispatcher.run_once(start + timedelta(seconds=31)) == 1  # fails: 60 s more
    [row] = await _rows(engine)
    assert row.attempts == 2 and row.next_attempt_at is not None
    # A claim whose process dies mid-send: its lease runs out and the row is due again.
    async with sessions(engine).begin() as db:
        await db.merge(
            Transmission(
                id=row.id, status="sending", next_attempt_at=start + timedelta(seconds=100)
            )
        )
    assert await dispatcher.run_once(start + timedelta(seconds=99)) == 0
    assert await dispatcher.run_once(start + timedelta(seconds=101)) == 1
    [row] = await _rows(engine)
    assert (row.status, row.attempts, row.external_id) == ("sent", 3, f"deposit-{row.id}")
    assert adapter.seen == [row.id] * 3  # the same key every time: the adapter can dedupe
    assert invoice_id == row.invoice_id


async def test_a_refusal_or_the_last_attempt_fails_for_good(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Flaky(failures=platforms.MAX_ATTEMPTS + 5)
    platforms.configure({adapter.name: adapter})
    monkeypatch.setattr(platforms, "_submission", _fake_submission)
    await _queued(engine, 1)
    dispatcher = platforms.Dispatcher(sessions(engine))
    moment = datetime.now(UTC)
    for _ in range(platforms.MAX_ATTEMPTS):
        assert await dispatcher.run_once(moment) == 1
        moment += timedelta(hours=2)
    [row] = await _rows(engine)
    assert (row.status, row.attempts) == ("failed", platforms.MAX_ATTEMPTS)
    assert await dispatcher.run_once(moment) == 0


async def test_two_dispatchers_never_take_the_same_row(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = Flaky(failures=0)
    platforms.configure({adapter.name: adapter})
    monkeypatch.setattr(platforms, "_submission", _fake_submission)
    await _queued(engine, 25)
    a, b = platforms.Dispatcher(sessions(engine)), platforms.Dispatcher(sessions(engine))

    async def drain(dispatcher: platforms.Dispatcher) -> None:
        while await dispatcher.run_once():
            pass

    await asyncio.gather(drain(a), drain(b))
    rows = await _rows(engine)
    assert {row.status for row in rows} == {"sent"} and len(rows) == 25
    assert sorted(adapter.seen) == sorted(row.id for row in rows)  # each delivered once


async def _valid_invoice(data_dir: Path, creator: Account) -> str:
    """A draft whose stored document is ready to submit (written before its room loads)."""
    invoice_id = await new_invoice(data_dir, creator)
    engine = create_engine(db_url(data_dir))
    entry = LogEntry(invoice_id, 1, _valid_update(), creator.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return invoice_id


async def _fake_submission(db: object, row: Transmission) -> Submission:
    return Submission(row.id, row.invoice_id, row.org_id, "F1", "cii", XML)


async def test_an_issued_invoice_reaches_the_drop_directory(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    people = {"alice": Role.EDITOR, "abe": Role.APPROVER, "adam": Role.ADMIN}
    async with server_with(tmp_path, people, PLATFORM_DROP_DIR=str(drop)) as (
        server,
        made,
    ):
        bearer = {name: await token(server, made[name]) for name in made}
        org = made["alice"].org_id
        async with api(server, bearer["adam"]) as http:
            assert (await http.put(f"/api/orgs/{org}/profile", json=PROFILE)).status_code == 200
        invoice_id = await _valid_invoice(tmp_path, made["alice"])
        for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
            async with api(server, bearer[who]) as http:
                r = await http.post(
                    f"/api/invoices/{invoice_id}/transitions", json={"action": action}
                )
            assert r.status_code == 200, (action, r.text)

        async def sent() -> bool:
            async with api(server, bearer["alice"]) as http:
                got = await http.get(f"/api/invoices/{invoice_id}/transmissions")
                assert got.status_code == 200, got.text
                items = got.json()
            return bool(items["items"] and items["items"][0]["status"] == "sent")

        await wait_for(sent, what="the transmission")
        written = drop / org / "F2026-000001.xml"
        report = await check_cii(written.read_bytes())
        assert report.fatal == (), report.fatal  # what left is a valid EN 16931 invoice
        async with api(server, bearer["alice"]) as http:
            r = await http.post(f"/api/invoices/{invoice_id}/transmissions")
        assert r.status_code == 403  # requeueing is an admin's
        async with api(server, bearer["adam"]) as http:
            r = await http.post(f"/api/invoices/{invoice_id}/transmissions")
            assert r.status_code == 200 and r.json()["items"][0]["status"] == "sent"
            events = (await http.get(f"/api/orgs/{org}/audit", params={"limit": 50})).json()
        details = [e["detail"] for e in events["items"] if e["event"] == "invoice.transmitted"]
        assert details == [f"filedrop: sent as {org}/F2026-000001.xml (attempt 1)"]
