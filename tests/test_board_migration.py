"""Migration 0015_board on each database: customers gain `importance` (existing rows
"normal"), invoices `customer_vat_id`, and the weights table takes an admin's save, with the
dialect's upsert."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import column, insert, select, table

from collab.invoice.priority import DEFAULT_WEIGHTS, Weights
from server.auth.models import Organization
from server.board import service as board
from server.catalog.models import Customer
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice
from tests.databases import KINDS, migrated_database


@pytest.mark.parametrize("kind", KINDS)
async def test_migration_0015_board(kind: str, tmp_path: Path) -> None:
    async with migrated_database(kind, tmp_path, twice=True) as url:
        engine = create_engine(url)
        org = str(uuid.uuid4())
        now = datetime.now(UTC)
        try:
            async with sessions(engine).begin() as db:
                db.add(Organization(id=org, name="Acme", created_at=now))
                await db.flush()
                # Written as before 0015, naming no importance: the server default fills it.
                old = table("customers", *map(column, ("id", "org_id", "name", "created_at")))
                await db.execute(
                    insert(old).values(id=str(uuid.uuid4()), org_id=org, name="Old", created_at=now)
                )
            async with sessions(engine)() as db:
                assert await db.scalar(select(Customer.importance)) == "normal"
                assert await db.scalar(select(Invoice.customer_vat_id)) is None
                assert await board.read_weights(db, org) == DEFAULT_WEIGHTS
            for weights in (Weights(0, 100, 0), Weights(10, 20, 30)):
                async with sessions(engine).begin() as db:
                    await board.save_weights(
                        db, org_id=org, actor_id="a" * 36, ip=None, new=weights
                    )
                async with sessions(engine)() as db:
                    assert await board.read_weights(db, org) == weights
        finally:
            await engine.dispose()
