"""The Lua scripts that grant field locks across processes, against the test's own Redis: the
same rules as one process's lock table (a path covers what is below it and is in the way of
what is above; a user is never in their own way), leases in Redis's clock, release by the
owning connection only (or anyone's, for an admin's break), and a gone process's locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from collab.sync import Identity
from server.core.shared_locks import SharedLocks
from tests.processes import redis_server

ADA = Identity("u-ada", "Ada", can_edit=True, color="#111111")
BOB = Identity("u-bob", "Bob", can_edit=True, color="#222222")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Redis]:
    async with redis_server(tmp_path / "redis") as redis:
        connection = Redis.from_url(redis.url)
        yield connection
        await connection.aclose()


async def test_overlapping_paths_are_refused_to_other_users_only(client: Redis) -> None:
    p0 = SharedLocks(client, process_id="p0")
    p1 = SharedLocks(client, process_id="p1")
    assert await p0.acquire("inv", "lines.l1.unit_price", ADA, "c1", 30) is None
    bob = {"id": "u-bob", "name": "Bob", "color": "#222222"}
    ada = {"id": "u-ada", "name": "Ada", "color": "#111111"}
    # Above it (deleting the line), the same path, and below a locked path: refused to Bob.
    assert await p1.acquire("inv", "lines.l1", BOB, "c2", 30) == ("lines.l1.unit_price", ada)
    assert await p1.acquire("inv", "lines.l1.unit_price", BOB, "c2", 30) is not None
    # A sibling field, another line whose id shares a prefix, another invoice: free.
    assert await p1.acquire("inv", "lines.l1.quantity", BOB, "c2", 30) is None
    assert await p1.acquire("inv", "lines.l10", BOB, "c2", 30) is None
    assert await p1.acquire("other", "lines.l1.unit_price", BOB, "c2", 30) is None
    # Ada's other tab, on another process, is not in her own way.
    assert await p1.acquire("inv", "lines.l1", ADA, "c3", 30) == ("lines.l1.quantity", bob)
    assert await p1.acquire("inv", "lines.l1.unit_price", ADA, "c3", 30) is None


async def test_a_lease_ends_in_redis_time_and_renewing_extends_it(client: Redis) -> None:
    p0, p1 = SharedLocks(client, process_id="p0"), SharedLocks(client, process_id="p1")
    assert await p0.acquire("inv", "invoice.notes", ADA, "c1", 0.3) is None
    await asyncio.sleep(0.2)
    assert await p0.acquire("inv", "invoice.notes", ADA, "c1", 0.3) is None  # renewed
    await asyncio.sleep(0.2)
    assert await p1.acquire("inv", "invoice.notes", BOB, "c2", 30) is not None  # still held
    await asyncio.sleep(0.2)
    assert await p1.acquire("inv", "invoice.notes", BOB, "c2", 30) is None  # expired


async def test_only_the_owning_connection_releases_unless_an_admin_breaks(client: Redis) -> None:
    p0, p1 = SharedLocks(client, process_id="p0"), SharedLocks(client, process_id="p1")
    assert await p0.acquire("inv", "invoice.notes", ADA, "c1", 30) is None
    await p1.release("inv", ["invoice.notes"], "c1")  # same connection name, other process
    await p0.release("inv", ["invoice.notes"], "c9")  # another connection of this process
    assert await p1.acquire("inv", "invoice.notes", BOB, "c2", 30) is not None
    await p0.release("inv", ["invoice.notes"], "c1")
    assert await p1.acquire("inv", "invoice.notes", BOB, "c2", 30) is None
    await p0.release("inv", ["invoice.notes"], None)  # an admin's break, from anywhere
    assert await p0.acquire("inv", "invoice.notes", ADA, "c1", 30) is None


async def test_a_gone_process_s_locks_are_forgotten_and_no_one_elses(client: Redis) -> None:
    p0, p1 = SharedLocks(client, process_id="p0"), SharedLocks(client, process_id="p1")
    assert await p0.acquire("inv", "invoice.notes", ADA, "c1", 30) is None
    assert await p1.acquire("inv", "invoice.due_date", BOB, "c2", 30) is None
    await p1.forget_process("inv", "p0")
    assert await p1.acquire("inv", "invoice.notes", BOB, "c2", 30) is None
    assert await p0.acquire("inv", "invoice.due_date", ADA, "c1", 30) is not None
