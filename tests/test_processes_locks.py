"""Field locks across server processes (PostgreSQL and Redis, both the test's own): a lock taken
on one process is enforced on the others, two processes asked for one field at the same instant
grant it once, and a lock goes when its holder leaves or its process dies."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.harness import YjsClients, wait_for
from tests.processes import Processes, redis_server, several_processes

pytestmark = pytest.mark.timeout(180)


async def _notices(yjs: YjsClients, name: str, kind: str) -> list[dict[str, Any]]:
    notices = (await yjs.call("status", name=name))["notices"]
    return [n for n in notices if n.get("type") == kind]


async def _holders(yjs: YjsClients, name: str) -> dict[str, str]:
    """path -> holder's name, as the last lock table `name` was told."""
    tables = await _notices(yjs, name, "locks")
    return {lock["path"]: lock["user"]["name"] for lock in tables[-1]["locks"]} if tables else {}


async def _open_both(processes: Processes, yjs: YjsClients, invoice_id: str) -> None:
    for name, server, who in (("a", 0, "alice"), ("b", 1, "bob")):
        url = processes.servers[server].ws
        await yjs.call("open", name=name, url=url, room=invoice_id, token=processes.bearers[who])
        await yjs.synced(name, timeout=15)


async def test_a_lock_taken_on_one_process_is_enforced_on_the_other(tmp_path: Path) -> None:
    async with (
        redis_server(tmp_path / "redis") as redis,
        several_processes(tmp_path, 2, redis=redis) as processes,
        YjsClients() as yjs,
    ):
        invoice_id = await processes.new_invoice()
        await _open_both(processes, yjs, invoice_id)
        path = "invoice.buyer_reference"
        await yjs.call("notice", name="a", body={"type": "lock", "path": path})

        async def b_told() -> bool:
            return await _holders(yjs, "b") == {path: "alice"}

        await wait_for(b_told, timeout=10, what="b sees alice's lock")
        # b's edit of the locked field, on the other process, is refused and undone.
        await yjs.call("set", name="b", key="buyer_reference", value="bob's")

        async def refused() -> bool:
            refusals = await _notices(yjs, "b", "update_refused")
            state = (await yjs.state("b"))["json"]["invoice"]
            return bool(refusals) and "buyer_reference" not in state

        await wait_for(refused, timeout=10, what="b's edit refused")
        assert (await _notices(yjs, "b", "update_refused"))[0]["reason"] == (
            f"{path} is locked by alice"
        )
        # b cannot take it (nor a line-level path above it would be); alice can edit.
        await yjs.call("notice", name="b", body={"type": "lock", "path": path})

        async def lock_refused() -> bool:
            return bool(await _notices(yjs, "b", "lock_refused"))

        await wait_for(lock_refused, timeout=10, what="b's lock refused")
        refusal = (await _notices(yjs, "b", "lock_refused"))[0]
        assert refusal["held_by"]["name"] == "alice"
        # alice leaves: the lock goes everywhere at once, and b may take it.
        await yjs.call("destroy", name="a")
        await wait_for(lambda: _no_locks(yjs, "b"), timeout=10, what="released on b")
        await yjs.call("notice", name="b", body={"type": "lock", "path": path})

        async def b_holds() -> bool:
            return await _holders(yjs, "b") == {path: "bob"}

        await wait_for(b_holds, timeout=10, what="b holds it")


async def _no_locks(yjs: YjsClients, name: str) -> bool:
    return await _holders(yjs, name) == {}


async def test_two_processes_asked_for_one_field_at_once_grant_it_once(tmp_path: Path) -> None:
    async with (
        redis_server(tmp_path / "redis") as redis,
        several_processes(tmp_path, 2, redis=redis) as processes,
        YjsClients() as yjs,
    ):
        invoice_id = await processes.new_invoice()
        await _open_both(processes, yjs, invoice_id)
        paths = [f"invoice.{field}" for field in ("notes", "payment_terms", "due_date", "currency")]
        for path in paths:
            await asyncio.gather(
                yjs.call("notice", name="a", body={"type": "lock", "path": path}),
                yjs.call("notice", name="b", body={"type": "lock", "path": path}),
            )

        async def settled() -> bool:
            a, b = await _holders(yjs, "a"), await _holders(yjs, "b")
            refused_a = {n["path"] for n in await _notices(yjs, "a", "lock_refused")}
            refused_b = {n["path"] for n in await _notices(yjs, "b", "lock_refused")}
            return a == b and set(a) == set(paths) and len(refused_a) + len(refused_b) == 4

        await wait_for(settled, timeout=15, what="each field granted once")
        table = await _holders(yjs, "a")
        refused_a = {n["path"] for n in await _notices(yjs, "a", "lock_refused")}
        refused_b = {n["path"] for n in await _notices(yjs, "b", "lock_refused")}
        for path in paths:  # the one refused is the one that does not hold it
            assert (path in refused_a) == (table[path] == "bob"), (path, table)
            assert (path in refused_b) == (table[path] == "alice"), (path, table)


async def test_a_dead_process_s_locks_go_without_waiting_for_their_lease(tmp_path: Path) -> None:
    async with (
        redis_server(tmp_path / "redis") as redis,
        several_processes(tmp_path, 2, redis=redis) as processes,
        YjsClients() as yjs,
    ):
        invoice_id = await processes.new_invoice()
        await _open_both(processes, yjs, invoice_id)
        path = "invoice.notes"
        await yjs.call("notice", name="a", body={"type": "lock", "path": path})

        async def b_told() -> bool:
            return await _holders(yjs, "b") == {path: "alice"}

        await wait_for(b_told, timeout=10, what="b sees alice's lock")
        await processes.servers[0].stop(signal.SIGKILL)
        started = asyncio.get_running_loop().time()
        # Gone after 5 s of silence: its locks leave b's table and Redis, long before 30 s.
        await wait_for(lambda: _no_locks(yjs, "b"), timeout=15, what="released on b")
        await yjs.call("notice", name="b", body={"type": "lock", "path": path})

        async def b_holds() -> bool:
            return await _holders(yjs, "b") == {path: "bob"}

        await wait_for(b_holds, timeout=10, what="b holds it")
        assert asyncio.get_running_loop().time() - started < 20  # the lease is 30 s
