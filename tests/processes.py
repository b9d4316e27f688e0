"""Several server processes on one PostgreSQL database and one Redis, both started for the test.

The Redis is the test's own (`redis-server` on a free port, no persistence), so a test can stop
and restart it without touching the machine's. Skipped with the reason when `redis-server` or
PostgreSQL is missing.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from collab.sync import LogEntry
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.databases import migrated_database
from tests.harness import Account, ServerProcess, free_port, wait_for


class RedisServer:
    """A `redis-server` of the test's own, on a free port; stoppable and restartable."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self._binary = binary
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [self._binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        with open(self.directory / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

        async def answers() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                return False
            writer.close()
            return True

        await wait_for(answers, timeout=10, what="redis-server start")

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        deadline = time.monotonic() + 10
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
            await asyncio.sleep(0.02)

    async def command(self, *args: str) -> str:
        """One command through redis-cli-free RESP, answer as text (for tests' fault injection)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        writer.write(b"".join(parts))
        await writer.drain()
        line = await reader.readline()
        if line.startswith(b"$") and not line.startswith(b"$-1"):
            line = await reader.readexactly(int(line[1:]) + 2)
        writer.close()
        return line.decode().strip().lstrip("+:")


@asynccontextmanager
async def redis_server(directory: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(directory)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class Balancer:
    """A TCP load balancer in front of server processes, as a deployment has: each connection
    goes to the first backend that accepts it, in `backends` order (a dead one is skipped)."""

    def __init__(self, backends: list[ServerProcess]) -> None:
        self.backends = backends
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    def ws_url(self, invoice_id: str, bearer: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/invoices/{invoice_id}?token={bearer}"

    async def __aenter__(self) -> Balancer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._pipes:
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for backend in self.backends:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend.port)
            except OSError:
                continue
            for source, sink in ((reader, up_writer), (up_reader, writer)):
                task = asyncio.create_task(_pipe(source, sink))
                self._pipes.add(task)
                task.add_done_callback(self._pipes.discard)
            return
        writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        sink.close()


ROLES = {"alice": Role.EDITOR, "bob": Role.EDITOR, "abe": Role.APPROVER, "adam": Role.ADMIN}


@dataclass
class Processes:
    """N server processes sharing one database (and one Redis, when given)."""

    url: str
    servers: list[ServerProcess]
    org_id: str
    accounts: dict[str, Account]
    bearers: dict[str, str]  # by name; a token signed by one process is valid on the others

    async def new_invoice(self, update: bytes | None = None) -> str:
        """A draft of alice's, with `update` as its first log entry when given, written to the
        database before any process loads it."""
        engine = create_engine(self.url)
        alice = self.accounts["alice"].user_id
        async with sessions(engine).begin() as db:
            made = await invoices.create_invoice(db, user_id=alice, org_id=self.org_id)
        if update is not None:
            entry = LogEntry(made.id, 1, update, alice, time.time())
            await SqlUpdateStore(engine).write([entry], [])
        await engine.dispose()
        return made.id

    def api(self, server: int, who: str) -> httpx.AsyncClient:
        return api(self.servers[server], self.bearers[who])

    def ws_url(self, server: int, invoice_id: str, who: str) -> str:
        return f"{self.servers[server].ws}/{invoice_id}?token={self.bearers[who]}"

    async def hear_each_other(self) -> None:
        """Wait until every process is subscribed and heard by the others: from then on no
        message between them is lost (short of a Redis outage)."""

        async def connected() -> bool:
            for server in self.servers:
                async with api(server) as http:
                    health = (await http.get("/api/health")).json()
                if health["fanout"] != "ok" or health["processes"] != len(self.servers) - 1:
                    return False
            return True

        await wait_for(connected, timeout=20, what="the processes to hear each other on Redis")

    async def cut_off(self, server: int) -> None:
        """Wait until process `server` says Redis is gone (the test stopped it)."""

        async def alone() -> bool:
            async with api(self.servers[server]) as http:
                return bool((await http.get("/api/health")).json()["fanout"] != "ok")

        await wait_for(alone, timeout=15, what=f"process {server} to notice Redis is gone")


@asynccontextmanager
async def several_processes(
    tmp_path: Path, count: int, *, redis: RedisServer | None = None, **env: str
) -> AsyncIterator[Processes]:
    """`count` processes on a fresh PostgreSQL database, with REDIS_URL when `redis` is given."""
    async with migrated_database("postgresql", tmp_path) as url:
        engine = create_engine(url)
        async with sessions(engine).begin() as db:
            org = await accounts.create_org(db, name="Acme")
            people = {
                name: await accounts.create_user(
                    db, org=org, email=f"{name}@acme.test", password="correct horse", role=role
                )
                for name, role in ROLES.items()
            }
        await engine.dispose()
        if redis is not None:
            env = {"REDIS_URL": redis.url, **env}
        servers = []
        for n in range(count):
            (tmp_path / f"process-{n}").mkdir()
            servers.append(ServerProcess(tmp_path / f"process-{n}", DATABASE_URL=url, **env))
        try:
            await asyncio.gather(*(server.start() for server in servers))
            logins = {
                name: Account(f"{name}@acme.test", "correct horse", people[name].id, org.id)
                for name in ROLES
            }
            bearers = {
                name: await token(servers[n % count], account)
                for n, (name, account) in enumerate(logins.items())
            }
            yield Processes(url, servers, org.id, logins, bearers)
        finally:
            # All of them, even when one fails to stop (it is killed and reported).
            running = [s for s in servers if s.proc and s.proc.poll() is None]
            stopped = await asyncio.gather(*(s.stop() for s in running), return_exceptions=True)
            for outcome in stopped:
                if isinstance(outcome, BaseException):
                    raise outcome


@asynccontextmanager
async def heard_processes(
    tmp_path: Path, count: int = 2
) -> AsyncIterator[tuple[RedisServer, Processes]]:
    """`count` processes on the test's own Redis, each subscribed and heard by the others."""
    async with (
        redis_server(tmp_path / "redis") as redis,
        several_processes(tmp_path, count, redis=redis) as procs,
    ):
        await procs.hear_each_other()
        yield redis, procs
