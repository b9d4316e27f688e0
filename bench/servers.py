"""The three servers under test, each started in its own process on a free 127.0.0.1 port.

Each server hands out rooms: a fresh room per measurement, so no run inherits a previous run's
document. Ours needs real invoices and a bearer token; the other two accept any room name.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from tests.harness import Account, ServerProcess, db_url, free_port, seed

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0  # ours: a graceful stop flushes the update log
# The reference servers persist nothing, so a kill loses nothing; pycrdt-websocket under uvicorn
# sits in its graceful shutdown for many seconds, which would only waste the run's time budget.
REFERENCE_STOP_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class Room:
    name: str
    token: str | None


class Server(Protocol):
    name: str
    deflate: str  # what this server negotiates with a `ws` client that offers permessage-deflate

    @property
    def url(self) -> str: ...

    @property
    def pid(self) -> int: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def rooms(self, count: int) -> list[Room]: ...


async def _port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


@dataclass
class CommandServer:
    """A server that is just a command line listening on a port (the two reference servers)."""

    name: str
    deflate: str
    argv: list[str]  # "{port}" is replaced by the port
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        argv = [arg.replace("{port}", str(self.port)) for arg in self.argv]
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not await _port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                await self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        await _terminate(self.proc, REFERENCE_STOP_TIMEOUT_S)
        self.proc = None

    async def rooms(self, count: int) -> list[Room]:
        return [Room(f"bench-{uuid.uuid4().hex[:12]}", None) for _ in range(count)]


async def _terminate(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return
        await asyncio.sleep(0.05)


def pycrdt_server(work: Path, *, deflate: bool = True) -> CommandServer:
    argv = [sys.executable, str(ROOT / "bench" / "pycrdt_ws_server.py"), "--port", "{port}"]
    if not deflate:
        argv.append("--no-deflate")
    name = "pycrdt-websocket" if deflate else "pycrdt-websocket (deflate off)"
    return CommandServer(
        name, "on (uvicorn default)" if deflate else "off", argv, work / "pycrdt.log"
    )


def node_server(work: Path) -> CommandServer:
    argv = [str(ROOT / "bench" / "node_server.sh"), "{port}"]
    return CommandServer("@y/websocket-server", "off (ws default)", argv, work / "node.log")


class OursServer:
    """`python -m server serve` via the test harness, with one seeded editor account."""

    name = "cofacture"
    deflate = "off (server setting)"

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self._process: ServerProcess | None = None
        self._account: Account | None = None
        self._token: str | None = None

    @property
    def url(self) -> str:
        assert self._process is not None
        return self._process.ws

    @property
    def pid(self) -> int:
        assert self._process is not None and self._process.proc is not None
        return self._process.proc.pid

    @property
    def token(self) -> str:
        assert self._token is not None, "start the server first"
        return self._token

    async def prepare(self) -> Account:
        """Seed the database once (before the first start) and return the editor account."""
        if self._account is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            users = await seed(self.data_dir, users={"bench": Role.EDITOR})
            self._account = users["bench"]
        return self._account

    async def start(self) -> None:
        account = await self.prepare()
        self._process = ServerProcess(self.data_dir, **self.env)
        try:
            await self._process.start()
        except BaseException:
            await self.stop()
            raise
        self._token = await self._process.login(account)

    async def stop(self) -> None:
        if self._process is not None and self._process.proc is not None:
            # AssertionError: it did not stop in time and the harness killed it.
            with contextlib.suppress(AssertionError):
                await self._process.stop(timeout=STOP_TIMEOUT_S)
        self._process = None

    async def rooms(self, count: int) -> list[Room]:
        ids = await create_invoices(self.data_dir, await self.prepare(), count)
        return [Room(invoice_id, self._token) for invoice_id in ids]


async def create_invoices(data_dir: Path, account: Account, count: int) -> list[str]:
    """`count` new invoices in one transaction (the harness opens an engine per invoice)."""
    engine = create_engine(db_url(data_dir))
    try:
        async with sessions(engine).begin() as db:
            made = [
                await invoices.create_invoice(db, user_id=account.user_id, org_id=account.org_id)
                for _ in range(count)
            ]
        return [invoice.id for invoice in made]
    finally:
        await engine.dispose()
