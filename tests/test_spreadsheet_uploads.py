"""The uploads both CSV imports share (server/spreadsheets/uploads.py), on SQLite and PostgreSQL:
of two confirmations that both found the upload unconfirmed, the conditional UPDATE lets one
claim it and answers the other 409 `already_confirmed`; a released claim can be made again.
Each feature's words and rights are checked through HTTP (test_crm_import.py, test_timesheets.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.auth.accounts import create_org, create_user
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.core.errors import Conflict
from server.crm.models import CustomerImport
from server.crm.service import UPLOADS
from tests.databases import KINDS, migrated_database


@pytest.fixture(params=KINDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as url:
        made = create_engine(url)  # the server's: on SQLite, a writer waits for the other
        yield made
        await made.dispose()


async def _uploaded(maker: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    """An editor and the id of a file they uploaded."""
    async with maker.begin() as db:
        org = await create_org(db, name="Acme")
        user = await create_user(
            db, org=org, email="alice@acme.test", password="correct horse", role=Role.EDITOR
        )
        stored = await UPLOADS.store(
            db, org_id=org.id, user_id=user.id, filename="export.csv", body=b"Name\nAcme\n"
        )
    return user.id, stored.id


async def _stored(maker: async_sessionmaker[AsyncSession], import_id: str) -> CustomerImport:
    async with maker() as db:
        found = await db.get(CustomerImport, import_id)
    assert found is not None
    return found


async def test_of_two_confirmations_one_claims_the_upload(engine: AsyncEngine) -> None:
    maker = sessions(engine)
    user_id, import_id = await _uploaded(maker)
    async with maker() as first, maker() as second:
        await first.begin()
        await second.begin()
        mine = await UPLOADS.usable(first, user_id=user_id, import_id=import_id)
        theirs = await UPLOADS.usable(second, user_id=user_id, import_id=import_id)
        await UPLOADS.claim(first, mine, result="first")
        # The second UPDATE waits for the first transaction (its row lock on PostgreSQL, the
        # write lock on SQLite), then finds the upload confirmed and changes nothing.
        late = asyncio.create_task(UPLOADS.claim(second, theirs, result="second"))
        await first.commit()
        with pytest.raises(Conflict) as refused:
            await late
        assert refused.value.code == "already_confirmed"
        assert refused.value.message == "this file has been imported already"
        await second.rollback()
    claimed = await _stored(maker, import_id)
    assert claimed.confirmed_at is not None
    assert claimed.result == "first"


async def test_a_released_claim_can_be_made_again(engine: AsyncEngine) -> None:
    maker = sessions(engine)
    user_id, import_id = await _uploaded(maker)
    async with maker.begin() as db:
        found = await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
        await UPLOADS.claim(db, found, result="adding lines")
    async with maker.begin() as db:
        with pytest.raises(Conflict):
            await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
        await UPLOADS.release(db, import_id)
    async with maker.begin() as db:
        found = await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
        await UPLOADS.claim(db, found, result="adding lines")
        await UPLOADS.record_result(db, import_id, result="2 line(s)")
    assert (await _stored(maker, import_id)).result == "2 line(s)"
