from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.auth.permissions import Role
from tests import harness
from tests.harness import ROOT, Account, ServerProcess, YjsClients, seed
from tests.zygote import Zygote


@pytest.fixture(scope="session", autouse=True)
def server_zygote() -> Iterator[None]:
    """Test servers are forked from one process that imported the server once (tests/zygote.py);
    TEST_FRESH_SERVERS=1 starts each in a new interpreter instead."""
    if os.environ.get("TEST_FRESH_SERVERS") == "1":
        yield
        return
    zygote = Zygote()
    harness.use_zygote(zygote)
    try:
        yield
    finally:
        harness.use_zygote(None)
        zygote.close()


@dataclass
class Running:
    server: ServerProcess
    accounts: dict[str, Account]


def _require_node() -> None:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "yjs").exists():
        pytest.fail("node and `npm ci` are required: run ./scripts/test.sh")


@asynccontextmanager
async def server_with(data_dir: Path, users: dict[str, Role]) -> AsyncIterator[Running]:
    """A server process on a fresh SQLite database with these users in one organization."""
    accounts = await seed(data_dir, users=users)
    server = ServerProcess(data_dir)
    try:
        await server.start()  # inside: a server slow to answer is stopped, not left running
        yield Running(server, accounts)
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """A server with an editor, a second editor and a viewer."""
    users = {"alice": Role.EDITOR, "bob": Role.EDITOR, "vera": Role.VIEWER}
    async with server_with(tmp_path, users) as started:
        yield started


@pytest.fixture
async def yjs() -> AsyncIterator[YjsClients]:
    _require_node()
    async with YjsClients() as clients:
        yield clients
