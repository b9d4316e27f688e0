"""Lock contention and lease expiry over real sockets: 20 raw-protocol clients, 20 users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from collab.sync.protocol import NoticeMessage, decode_message, encode_notice
from server.auth.permissions import Role
from tests.conftest import Running
from tests.harness import ServerProcess, new_invoice, seed, wait_for

PATH = "lines.l1.unit_price"
CLIENTS = 20


@pytest.fixture
async def crowd(tmp_path: Path) -> AsyncIterator[Running]:
    """20 editors, and a server whose locks last one second without renewal."""
    accounts = await seed(tmp_path, users={f"u{i:02d}": Role.EDITOR for i in range(CLIENTS)})
    server = ServerProcess(tmp_path, LOCK_LEASE_SECONDS="1")
    await server.start()
    try:
        yield Running(server, accounts)
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


class Listener:
    """Collects the notices one raw connection receives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.notices: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for frame in self.ws:
            assert isinstance(frame, bytes)
            message = decode_message(frame)
            if isinstance(message, NoticeMessage):
                self.notices.append(message.body)

    def count(self, kind: str) -> int:
        return sum(1 for n in self.notices if n["type"] == kind)

    def last_locks(self) -> list[dict[str, Any]] | None:
        found = [n["locks"] for n in self.notices if n["type"] == "locks"]
        return found[-1] if found else None


async def test_twenty_clients_race_for_a_field_and_exactly_one_wins_each_round(
    crowd: Running,
) -> None:
    names = sorted(crowd.accounts)
    invoice_id = await new_invoice(crowd.server.data_dir, crowd.accounts[names[0]])
    tokens = [await crowd.server.login(crowd.accounts[name]) for name in names]
    async with AsyncExitStack() as stack:
        listeners = []
        for token in tokens:
            ws = await stack.enter_async_context(
                connect(f"{crowd.server.ws}/{invoice_id}?token={token}")
            )
            listener = Listener(ws)
            stack.callback(listener.task.cancel)
            listeners.append(listener)
        for round_ in range(3):
            lock = encode_notice({"type": "lock", "path": PATH})
            await asyncio.gather(*(listener.ws.send(lock) for listener in listeners))

            async def settled(expected: int = CLIENTS - 1 + round_ * (CLIENTS - 1)) -> bool:
                refused = sum(listener.count("lock_refused") for listener in listeners)
                return refused >= expected

            # Every client asked once: 19 refusals can only mean exactly one winner.
            await wait_for(settled, what=f"round {round_}: {CLIENTS - 1} refusals")

            async def one_holder() -> str:
                locks = listeners[0].last_locks()
                assert locks is not None and len(locks) == 1
                return str(locks[0]["user"]["name"])

            winner = names.index(await wait_for(one_holder, what="the winner announced"))
            await listeners[winner].ws.send(encode_notice({"type": "unlock", "path": PATH}))

            async def free() -> bool:
                return listeners[0].last_locks() == []

            await wait_for(free, what="the lock released")

        # A lease that is not renewed runs out (LOCK_LEASE_SECONDS=1 here).
        await listeners[3].ws.send(encode_notice({"type": "lock", "path": "invoice.notes"}))

        async def taken() -> bool:
            return bool(listeners[0].last_locks())

        await wait_for(taken, what="a lock taken")

        async def expired() -> bool:
            return listeners[0].last_locks() == []

        await wait_for(expired, timeout=3, what="the lease to expire")
