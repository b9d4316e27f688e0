"""Test plumbing: a real server process, real Yjs clients in Node, and conditions with deadlines."""

from __future__ import annotations

import asyncio
import atexit
import base64
import itertools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pycrdt import Doc

from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, migrate, sessions
from server.invoices import service as invoices
from server.invoices.documents import document_json
from server.invoices.store import SqlUpdateStore

if TYPE_CHECKING:
    from tests.zygote import ForkedServer, Zygote

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

# Set by the test session (tests/conftest.py): servers are forked from it (tests/zygote.py).
# Unset (benchmarks run from the command line), every server is a fresh interpreter.
_zygote: Zygote | None = None


def use_zygote(zygote: Zygote | None) -> None:
    global _zygote
    _zygote = zygote


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DB_FILE = "cofacture.db"


def db_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / DB_FILE}"


async def wait_for(
    check: Callable[[], Awaitable[T]], *, timeout: float = 5.0, what: str = "condition"
) -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = await check()
            if result:
                return result
            last = result
        except AssertionError as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last: {last!r}")
        await asyncio.sleep(0.02)


async def wait_until(predicate: Callable[[], object], *, timeout: float = 5.0, what: str) -> None:
    """`wait_for` for a plain (non-async) condition."""

    async def check() -> bool:
        return bool(predicate())

    await wait_for(check, timeout=timeout, what=what)


@dataclass
class Account:
    email: str
    password: str
    user_id: str
    org_id: str


# Seeded databases by (organization, users): the next test asking for the same copies the file
# instead of migrating and hashing passwords again (~1 s a test; the ids repeat across tests,
# each test still has its own database).
_templates: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Path, dict[str, Account]]] = {}


async def seed(data_dir: Path, *, org: str = "Acme", users: dict[str, Role]) -> dict[str, Account]:
    """Create an organization and users directly in the database."""
    target = data_dir / DB_FILE
    key = (org, tuple(sorted((name, role.value) for name, role in users.items())))
    if not target.exists() and key in _templates:
        template, cached = _templates[key]
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        with closing(sqlite3.connect(target)) as copy, copy:
            # Its own identity, as a database created afresh has (tests/test_storage_faults_e2e).
            copy.execute("UPDATE database_identity SET id = ?", (str(uuid.uuid4()),))
        return dict(cached)
    fresh = not target.exists()
    engine = create_engine(db_url(data_dir))
    await migrate(engine)
    made: dict[str, Account] = {}
    async with sessions(engine).begin() as db:
        try:
            organization = await accounts.find_org(db, org)
        except Exception:
            organization = await accounts.create_org(db, name=org)
        for name, role in users.items():
            email = f"{name}@{org.lower()}.test"
            user = await accounts.create_user(
                db, org=organization, email=email, password="correct horse", role=role, name=name
            )
            made[name] = Account(email, "correct horse", user.id, organization.id)
    await engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    if fresh and not (data_dir / f"{DB_FILE}-wal").exists():
        folder = tempfile.mkdtemp(prefix="cofacture-seed-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / DB_FILE
        shutil.copyfile(target, template)
        _templates[key] = (template, dict(made))
    return made


async def new_invoice(data_dir: Path, account: Account) -> str:
    engine = create_engine(db_url(data_dir))
    async with sessions(engine).begin() as db:
        invoice = await invoices.create_invoice(db, user_id=account.user_id, org_id=account.org_id)
    await engine.dispose()
    return invoice.id


async def stored_document(data_dir: Path, invoice_id: str) -> tuple[dict[str, Any], Doc[Any]]:
    """Replay the stored snapshot and log into a fresh document."""
    engine = create_engine(db_url(data_dir))
    stored = await SqlUpdateStore(engine).load(invoice_id)
    await engine.dispose()
    doc = stored.to_doc()
    return document_json(doc), doc


class ServerProcess:
    """`python -m server serve` in a subprocess, on a free port, with its own data directory;
    forked from the session's zygote when there is one, unless `fresh` is set (a new
    interpreter, for what happens at import time)."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = env
        self.fresh = False
        self.proc: subprocess.Popen[bytes] | ForkedServer | None = None
        self.log_path = data_dir / "server.log"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/invoices"

    async def start(self) -> None:
        env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
            "LOG_LEVEL": "info",
            "PYTHONPATH": str(ROOT),
            **self.env,
        }
        argv = ["serve", "--port", str(self.port)]
        if _zygote is not None and not self.fresh:
            self.proc = _zygote.spawn(argv, env=env, cwd=str(self.data_dir), log=str(self.log_path))
        else:
            with open(self.log_path, "ab") as log:  # the child has its own copy of the descriptor
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "server", *argv],
                    cwd=self.data_dir,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )

        async def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                # Polled until up: a short wait each, the start has its own deadline.
                async with httpx.AsyncClient(timeout=5.0) as client:
                    return (await client.get(f"{self.http}/api/health")).status_code == 200
            except httpx.TransportError:
                return False

        # A fresh interpreter imports for ~2-5 s on a quiet machine (a fork of the zygote answers
        # in ~0.3 s), several times that on a loaded one; a start is not what tests measure.
        await wait_for(ready, timeout=90, what="server start")

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        deadline = time.monotonic() + timeout
        while (code := self.proc.poll()) is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("server did not stop in time")
            await asyncio.sleep(0.02)
        return code

    async def login(self, account: Account) -> str:
        async with httpx.AsyncClient(timeout=30.0) as client:
            r = await client.post(
                f"{self.http}/api/auth/login",
                json={"email": account.email, "password": account.password},
            )
        r.raise_for_status()
        return str(r.json()["access_token"])


class YjsClients:
    """Real `yjs` + `y-websocket` clients in one Node process, driven command by command."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> YjsClients:
        self._proc = await asyncio.create_subprocess_exec(
            "node",
            str(ROOT / "tests" / "js" / "yclient.mjs"),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            await asyncio.wait_for(self._proc.wait(), 5)
        except TimeoutError:
            self._proc.kill()

    async def call(self, cmd: str, **args: Any) -> Any:
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        async with self._lock:
            request_id = next(self._ids)
            self._proc.stdin.write(
                (json.dumps({"id": request_id, "cmd": cmd, **args}) + "\n").encode()
            )
            await self._proc.stdin.drain()
            answer = json.loads(await asyncio.wait_for(self._proc.stdout.readline(), 10))
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer["result"]

    async def state(self, name: str) -> dict[str, Any]:
        result = await self.call("state", name=name)
        return {"json": result["json"], "update": base64.b64decode(result["update"])}

    async def synced(self, name: str, timeout: float = 5.0) -> None:
        async def check() -> bool:
            return bool((await self.call("status", name=name))["synced"])

        await wait_for(check, timeout=timeout, what=f"{name} synced")
