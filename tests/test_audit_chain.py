"""The audit hash chain: the pure walk, appends and tampering on SQLite and on a real PostgreSQL,
concurrent writers, the backfill of migration 0008, the CLI and the route."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.audit import service as audit
from server.audit.chain import (
    GENESIS,
    BreakReason,
    EntryFields,
    StoredEntry,
    entry_hash,
    verify,
)
from server.audit.service import AuditKind
from server.auth.permissions import Role
from server.core.db import MIGRATIONS, create_engine, migrate, sessions
from tests.access_helpers import api, token
from tests.conftest import server_with
from tests.databases import KINDS, migrated_database
from tests.harness import db_url

ROOT = Path(__file__).resolve().parent.parent


def _chain(n: int, org: str | None = "org") -> list[StoredEntry]:
    entries, prev = [], GENESIS
    for i in range(1, n + 1):
        at = datetime(2026, 1, 1, 12, 0, i, 1234, tzinfo=UTC)
        fields = EntryFields(i, at, "login.ok", f"u{i}", org, "t", "10.0.0.1", "é")
        digest = entry_hash(fields, prev)
        entries.append(StoredEntry(i * 10, fields, prev, digest))
        prev = digest
    return entries


def test_the_walk_reports_the_first_broken_link_of_each_kind() -> None:
    good = _chain(8)
    verdict = verify(good, org_id="org")
    assert verdict.ok and verdict.entries == 8 and verdict.head_hash == good[-1].hash
    assert verify([], org_id="org").ok

    def first(entries: list[StoredEntry]) -> tuple[int, BreakReason]:
        broken = verify(entries, org_id="org").first_broken
        assert broken is not None
        return broken.position, broken.reason

    modified = list(good)
    modified[3] = replace(good[3], fields=replace(good[3].fields, detail="changed"))
    assert first(modified) == (4, BreakReason.MODIFIED)
    assert first(good[:4] + good[5:]) == (6, BreakReason.MISSING)  # deleted
    forged = replace(good[4], id=45)  # an inserted copy: a position that repeats
    assert first([*good[:5], forged, *good[5:]]) == (5, BreakReason.OUT_OF_PLACE)
    swapped = list(good)  # two entries exchanged their positions
    swapped[2] = replace(good[3], fields=replace(good[3].fields, position=3))
    swapped[3] = replace(good[2], fields=replace(good[2].fields, position=4))
    assert first(swapped) == (3, BreakReason.UNLINKED)
    ids_swapped = list(good)  # two rows exchanged their ids
    ids_swapped[2], ids_swapped[3] = replace(good[2], id=40), replace(good[3], id=30)
    assert first(ids_swapped) == (4, BreakReason.REORDERED)
    assert first(_chain(3, org="other")) == (1, BreakReason.WRONG_CHAIN)
    relinked = list(good)  # a rewritten entry with a fresh hash still breaks the next link
    rewritten = replace(good[3].fields, detail="changed")
    relinked[3] = replace(good[3], fields=rewritten, hash=entry_hash(rewritten, good[3].prev_hash))
    assert first(relinked) == (5, BreakReason.UNLINKED)


@pytest.fixture(params=KINDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as url:
        made = create_engine(url)
        yield made
        await made.dispose()


async def _record(engine: AsyncEngine, org: str | None, count: int = 1) -> None:
    async with sessions(engine).begin() as db:
        for i in range(count):
            audit.record(
                db, AuditKind.ROLE_CHANGED, actor_id="a" * 36, ip="::1", org_id=org, detail=f"{i}"
            )


async def _tamper(engine: AsyncEngine, *statements: str) -> None:
    """Change rows behind the application's back, as someone with database access could."""
    async with engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            await conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        for statement in statements:
            await conn.execute(text(statement))
        if postgres:
            await conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")


async def _ids(engine: AsyncEngine, org: str) -> list[int]:
    async with engine.connect() as conn:
        query = text("SELECT id FROM audit_events WHERE org_id = :org ORDER BY position")
        return list((await conn.execute(query, {"org": org})).scalars())


async def test_a_long_chain_per_organization_verifies(engine: AsyncEngine) -> None:
    started = time.perf_counter()
    for _ in range(30):  # 30 transactions of 10 entries for each of two chains, then global
        await _record(engine, "org-a", 10)
        await _record(engine, "org-b", 10)
    elapsed = time.perf_counter() - started
    print(f"\n{engine.dialect.name}: {elapsed / 600 * 1e3:.3f} ms per entry (10 per transaction)")
    await _record(engine, None, 3)
    async with sessions(engine)() as db:
        assert await audit.chains(db) == [None, "org-a", "org-b"]
        for org, count in (("org-a", 300), ("org-b", 300), (None, 3)):
            verdict = await audit.verify_chain(db, org_id=org)
            assert verdict.ok and verdict.entries == count, (org, verdict)
        positions = await db.execute(
            text("SELECT position FROM audit_events WHERE org_id = 'org-a' ORDER BY id")
        )
        assert list(positions.scalars()) == list(range(1, 301))


async def test_verification_finds_a_modified_a_deleted_and_a_reordered_row(
    engine: AsyncEngine,
) -> None:
    await _record(engine, "org", 12)
    ids = await _ids(engine, "org")

    async def broken() -> tuple[int, int, BreakReason]:
        async with sessions(engine)() as db:
            verdict = await audit.verify_chain(db, org_id="org")
        assert not verdict.ok and verdict.first_broken is not None
        link = verdict.first_broken
        return link.position, link.id, link.reason

    await _tamper(engine, f"UPDATE audit_events SET detail = 'nothing' WHERE id = {ids[9]}")
    assert await broken() == (10, ids[9], BreakReason.MODIFIED)
    await _tamper(engine, f"DELETE FROM audit_events WHERE id = {ids[5]}")
    assert await broken() == (7, ids[6], BreakReason.MISSING)
    # Two rows swap places, earlier in the chain: that is now the first broken link.
    a, b = ids[2], ids[3]
    await _tamper(
        engine,
        f"UPDATE audit_events SET position = -1 WHERE id = {a}",
        f"UPDATE audit_events SET position = 3 WHERE id = {b}",
        f"UPDATE audit_events SET position = 4 WHERE id = {a}",
    )
    assert await broken() == (3, b, BreakReason.UNLINKED)


async def test_postgresql_refuses_to_update_or_delete_audit_rows(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    await _record(engine, "org", 2)
    for statement in ("UPDATE audit_events SET detail = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))


async def test_concurrent_writers_leave_one_linear_chain(engine: AsyncEngine) -> None:
    async def writer(i: int) -> None:
        async with sessions(engine).begin() as db:
            await db.execute(text("SELECT 1"))  # the transaction reads before it records
            audit.record(db, AuditKind.LOCK_BROKEN, actor_id=None, ip=None, org_id="org")
            if i % 5 == 0:  # some also write to the global chain, in either order
                audit.record(db, AuditKind.LOGOUT, actor_id=None, ip=None)

    started = time.perf_counter()
    await asyncio.gather(*(writer(i) for i in range(50)))
    elapsed = time.perf_counter() - started
    print(f"\n{engine.dialect.name}: 50 concurrent transactions in {elapsed * 1e3:.0f} ms")
    async with sessions(engine)() as db:
        verdict = await audit.verify_chain(db, org_id="org")
        assert verdict.ok and verdict.entries == 50, verdict
        global_chain = await audit.verify_chain(db, org_id=None)
        assert global_chain.ok and global_chain.entries == 10, global_chain


def _sqlite_alembic(conn: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


async def test_migration_0008_chains_the_rows_it_finds(tmp_path: Path) -> None:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    async with made.begin() as conn:
        await conn.run_sync(_sqlite_alembic, "0007")
        for i, org in enumerate(["o1", None, "o1", "o2", None, "o1"]):
            await conn.execute(
                text(
                    "INSERT INTO audit_events (at, event, actor_id, org_id, target, ip, detail) "
                    "VALUES (:at, 'login.ok', 'u', :org, 'é', NULL, :detail)"
                ),
                {"at": datetime(2025, 5, 1, 8, i, 0, 5 * i, tzinfo=UTC), "org": org, "detail": i},
            )
    await migrate(made)
    await _record(made, "o1", 2)  # appending continues the backfilled chain
    async with sessions(made)() as db:
        counts = {org: (await audit.verify_chain(db, org_id=org)) for org in ("o1", "o2", None)}
    await made.dispose()
    assert {org: (v.ok, v.entries) for org, v in counts.items()} == {
        "o1": (True, 5),
        "o2": (True, 1),
        None: (True, 2),
    }


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": db_url(data_dir),
        "SECRET_KEY": "k" * 40,
    }
    return subprocess.run(
        [sys.executable, "-m", "server", "verify-audit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


async def test_the_route_and_the_command_report_a_broken_chain(tmp_path: Path) -> None:
    async with server_with(tmp_path, {"ada": Role.ADMIN, "eve": Role.EDITOR}) as running:
        ada, eve = running.accounts["ada"], running.accounts["eve"]
        org = ada.org_id
        async with api(running.server, await token(running.server, eve)) as http:
            for _ in range(3):  # each refusal is an event of the organization's chain
                assert (await http.get(f"/api/orgs/{org}/audit/verify")).status_code == 403
        async with api(running.server, await token(running.server, ada)) as http:
            answer = (await http.get(f"/api/orgs/{org}/audit/verify")).json()
            assert answer["ok"] is True and answer["entries"] == 3, answer
            assert answer["first_broken"] is None and len(answer["head_hash"]) == 64

            done = await asyncio.to_thread(_cli, tmp_path, "--org", "Acme")
            assert done.returncode == 0 and "3 entries, ok" in done.stdout, done
            engine = create_engine(db_url(tmp_path))
            second = (await _ids(engine, org))[1]
            async with engine.begin() as conn:
                await conn.execute(
                    text(f"UPDATE audit_events SET ip = '6.6.6.6' WHERE id={second}")
                )
            await engine.dispose()

            answer = (await http.get(f"/api/orgs/{org}/audit/verify")).json()
            assert answer == {
                "ok": False,
                "entries": 2,
                "head_hash": answer["head_hash"],
                "first_broken": {"position": 2, "id": second, "reason": "modified"},
            }
        done = await asyncio.to_thread(_cli, tmp_path)  # every chain: the global one is fine
        assert done.returncode == 1, done
        assert f"BROKEN at position 2 (id {second}): modified" in done.stdout
        assert "global chain:" in done.stdout and "entries, ok" in done.stdout
