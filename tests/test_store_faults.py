"""The SQL store under refusal (issue 10, defect 12), on SQLite and PostgreSQL: an entry the
database refuses (here a foreign key to an invoice that does not exist) is quarantined in its
table, and another invoice's edits written in the same batches stay durable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from collab.sync import LogEntry, Persister
from server.core.db import sessions
from server.invoices import service as invoices
from server.invoices.models import QuarantinedUpdate
from server.invoices.store import SqlUpdateStore
from tests.databases import acme_member
from tests.test_doc_store import engine  # noqa: F401 - the SQLite / PostgreSQL fixture
from tests.test_room import line_updates


async def _invoice(made: AsyncEngine) -> str:
    async with sessions(made).begin() as db:
        org, user = await acme_member(db, name="A")
        invoice = await invoices.create_invoice(db, user_id=user.id, org_id=org.id)
    return invoice.id


async def test_a_refused_entry_is_quarantined_and_the_other_invoice_stays_durable(
    engine: AsyncEngine,  # noqa: F811
) -> None:
    good = await _invoice(engine)
    store = SqlUpdateStore(engine)
    updates = line_updates(3)
    async with Persister(store, first_retry_delay=0.01) as persister:
        for seq, update in enumerate(updates, 1):
            persister.append(LogEntry("no-such-invoice", seq, update, None, 0.0))
            persister.append(LogEntry(good, seq, update, None, 0.0))
        assert await persister.flush(10.0), "a refused entry blocked the other invoice"
    assert len((await store.load(good)).updates) == 3
    assert {(q.doc_id, q.seq) for q in persister.quarantined} == {
        ("no-such-invoice", 1),
        ("no-such-invoice", 2),
        ("no-such-invoice", 3),
    }
    async with engine.connect() as conn:
        kept = (
            await conn.execute(
                select(QuarantinedUpdate.invoice_id, QuarantinedUpdate.seq, QuarantinedUpdate.data)
            )
        ).all()
    assert sorted(row.seq for row in kept) == [1, 2, 3]
    assert all(row.invoice_id == "no-such-invoice" and row.data for row in kept)
