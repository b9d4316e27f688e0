"""Several Cofacture processes on one PostgreSQL database and one Redis (issue 15), for benchmarks.

Everything is the benchmark's own and goes away with it: a `redis-server` on a free port (no
persistence), a fresh database on the local PostgreSQL (migrated, one editor seeded, dropped
with `WITH (FORCE)` at the end), and N `python -m server serve` processes sharing one
`SECRET_KEY`, so a token from one is valid on all. docs/deploy.md ("Several processes") is the
deployment this imitates, without the balancer: the generator picks each client's process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, migrate, sessions
from server.invoices import service as invoices
from server.invoices.models import InvoiceUpdate, QuarantinedUpdate

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-hs256"
EMAIL, PASSWORD = "bench@acme.test", "correct horse battery"
START_TIMEOUT_S = 90.0  # a fresh interpreter on a loaded 2-core machine
STOP_TIMEOUT_S = 20.0  # a graceful stop makes every accepted update durable first
# Problems worth reporting in a server log: lines at these levels (the server's log format puts
# the level in capitals) and tracebacks.
LOG_PROBLEMS = ("ERROR", "CRITICAL", "Traceback", "WARNING")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for(check: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def terminate(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return
        await asyncio.sleep(0.05)


class RedisServer:
    """A `redis-server` of the benchmark's own: free port, no persistence, never the machine's."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        with open(self.directory / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        await wait_for(lambda: port_open(self.port), timeout=10, what="redis-server")

    async def stop(self) -> None:
        await terminate(self.proc, 10)


@contextlib.asynccontextmanager
async def redis_server(directory: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(directory)
    try:
        await server.start()
        yield server
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def postgres_database(prefix: str = "cofacture_bench") -> AsyncIterator[str]:
    """The URL of a fresh, migrated database on the local PostgreSQL, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
            engine = create_engine(url)
            try:
                await migrate(engine)
            finally:
                await engine.dispose()
            yield url
        finally:
            async with admin.connect() as conn:
                await conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


class ServerProcess:
    """One `python -m server serve` on a free port, with its own DATA_DIR and log."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/invoices"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATA_DIR": str(self.data_dir), "PYTHONPATH": str(ROOT), **self.env}
        argv = [sys.executable, "-m", "server", "serve", "--port", str(self.port)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                argv, cwd=self.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT
            )

        async def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                return (await self.health()) is not None
            return False

        await wait_for(up, timeout=START_TIMEOUT_S, what=f"server on port {self.port}")

    async def stop(self) -> None:
        await terminate(self.proc, STOP_TIMEOUT_S)

    async def health(self) -> dict[str, Any] | None:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.get(f"{self.http}/api/health")
        return dict(answer.json()) if answer.status_code == 200 else None

    async def login(self) -> str:
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(
                f"{self.http}/api/auth/login", json={"email": EMAIL, "password": PASSWORD}
            )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_problems(self, since: int = 0, examples: int = 3) -> dict[str, Any]:
        """How many log lines after byte `since` carry each problem marker (LOG_PROBLEMS),
        with the first few of them."""
        counts = dict.fromkeys(LOG_PROBLEMS, 0)
        seen: list[str] = []
        with contextlib.suppress(OSError), open(self.log_path, "rb") as log:
            log.seek(since)
            for line in log.read().decode(errors="replace").splitlines():
                hits = [marker for marker in LOG_PROBLEMS if marker in line]
                for marker in hits:
                    counts[marker] += 1
                if hits and len(seen) < examples:
                    seen.append(line[:300])
        found: dict[str, Any] = {marker: n for marker, n in counts.items() if n}
        if seen:
            found["examples"] = seen
        return found


@dataclass
class Cluster:
    """`processes` serving one database; `redis` set when they share one (REDIS_URL)."""

    database_url: str
    processes: list[ServerProcess]
    redis: RedisServer | None
    user_id: str
    org_id: str
    token: str

    @property
    def urls(self) -> list[str]:
        return [p.ws for p in self.processes]

    @property
    def database(self) -> str:
        return self.database_url.rsplit("/", 1)[1]

    async def rooms(self, count: int) -> list[str]:
        """`count` new invoices in one transaction."""
        engine = create_engine(self.database_url)
        try:
            async with sessions(engine).begin() as db:
                made = [
                    await invoices.create_invoice(db, user_id=self.user_id, org_id=self.org_id)
                    for _ in range(count)
                ]
            return [invoice.id for invoice in made]
        finally:
            await engine.dispose()

    async def settled(self, timeout: float = 30.0) -> None:
        """Every process has made every accepted update durable."""

        async def durable() -> bool:
            healths = [await p.health() for p in self.processes]
            return all(h is not None and h["pending_updates"] == 0 for h in healths)

        await wait_for(durable, timeout=timeout, what="pending updates written")

    async def stored(self, invoice_ids: Sequence[str]) -> dict[str, int]:
        """Log rows of these invoices, and quarantined entries in the whole database."""
        engine = create_engine(self.database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.scalar(
                    select(func.count())
                    .select_from(InvoiceUpdate)
                    .where(InvoiceUpdate.invoice_id.in_(list(invoice_ids)))
                )
                quarantined = await conn.scalar(select(func.count()).select_from(QuarantinedUpdate))
            return {"log_rows": int(rows or 0), "quarantined": int(quarantined or 0)}
        finally:
            await engine.dispose()

    def postgres_cpu_seconds(self) -> dict[int, float]:
        """CPU so far of each PostgreSQL backend connected to this cluster's database (their
        process title names it), by pid."""
        found: dict[int, float] = {}
        for proc in psutil.process_iter(["name", "cmdline"]):
            with contextlib.suppress(psutil.Error):
                title = " ".join(proc.info["cmdline"] or [])
                if title.startswith("postgres:") and f" {self.database} " in f"{title} ":
                    times = proc.cpu_times()
                    found[proc.pid] = times.user + times.system
        return found


async def _seed(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        async with sessions(engine).begin() as db:
            org = await accounts.create_org(db, name="Acme")
            user = await accounts.create_user(
                db, org=org, email=EMAIL, password=PASSWORD, role=Role.EDITOR, name="bench"
            )
        return user.id, org.id
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def cluster(work: Path, count: int, *, redis: bool, **env: str) -> AsyncIterator[Cluster]:
    """`count` processes on a fresh PostgreSQL database, sharing a fresh Redis when `redis`;
    everything stopped and dropped on the way out, whatever happened."""
    work.mkdir(parents=True, exist_ok=True)
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(postgres_database())
        broker = await stack.enter_async_context(redis_server(work / "redis")) if redis else None
        user_id, org_id = await _seed(url)
        shared = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "LOG_LEVEL": "info",
            "ACCESS_TOKEN_TTL": "86400",  # a long run outlives the default 15 minutes
            **({"REDIS_URL": broker.url} if broker else {}),
            **env,
        }
        processes = [ServerProcess(work / f"process-{n}", shared) for n in range(count)]
        for process in processes:
            stack.push_async_callback(process.stop)
        await asyncio.gather(*(p.start() for p in processes))
        if broker is not None and count > 1:

            async def acquainted() -> bool:
                healths = [await p.health() for p in processes]
                return all(h is not None and h["processes"] == count - 1 for h in healths)

            await wait_for(acquainted, timeout=30, what="processes hearing each other")
        token = await processes[0].login()
        yield Cluster(url, processes, broker, user_id, org_id, token)
