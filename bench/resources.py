"""Resources under churn (docs/reliability.md): memory and file descriptors come back.

`python -m bench.resources cycles --cycles 10000 --invoices 500`: connect / edit / disconnect
cycles over many invoices; the server's RSS and open FDs at baseline, at peak and after every
room unloaded. `python -m bench.resources storm --clients 500 --invoices 50`: that many clients
connected, the server SIGKILLed and restarted, all of them reconnecting at once; how long until
every one is synced again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Doc, Map
from websockets.asyncio.client import connect

from bench.crash import prepare
from collab.sync.protocol import (
    SyncMessage,
    SyncType,
    decode_message,
    encode_sync_step1,
    encode_update,
)
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from tests.harness import Account, ServerProcess


def usage(pid: int) -> tuple[int, int]:
    """(RSS in KiB, open file descriptors) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def database_fds(pid: int, data_dir: Path) -> int:
    """Descriptors of the SQLite files: the connection pool holds them open by design."""
    found = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed while listing
        found += target.startswith(str(data_dir))
    return found


async def _invoices(url: str, account: Account, count: int) -> list[str]:
    engine = create_engine(url)
    made = []
    async with sessions(engine).begin() as db:
        for _ in range(count):
            invoice = await invoices.create_invoice(
                db, user_id=account.user_id, org_id=account.org_id
            )
            made.append(invoice.id)
    await engine.dispose()
    return made


async def _synced(url: str, update: bytes | None = None) -> None:
    """Connect, optionally edit, and wait for the server's answer to our step 1."""
    async with connect(url, open_timeout=30) as ws:
        if update is not None:
            await ws.send(encode_update(update))
        await ws.send(encode_sync_step1(b"\x00"))
        async for frame in ws:
            assert isinstance(frame, bytes)
            message = decode_message(frame)
            if isinstance(message, SyncMessage) and message.kind is SyncType.STEP2:
                return


def _edit(n: int) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("invoice", type=Map)["notes"] = f"cycle {n}"
    return doc.get_update()


@dataclass
class CycleFigures:
    cycles: int
    invoices: int
    baseline_rss_kib: int
    peak_rss_kib: int
    end_rss_kib: int
    baseline_fds: int
    peak_fds: int
    end_fds: int
    seconds: float
    # descriptors of the database files among them (the pool's connections), before and after
    baseline_db_fds: int = 0
    end_db_fds: int = 0
    # RSS once every room has unloaded after each round of `cycles`: growth that stops after
    # the first round is caches filling (SQLite's page cache per pooled connection, SQLAlchemy's
    # statement cache), growth every round is a leak.
    round_end_rss_kib: list[int] = field(default_factory=list)
    round_end_fds: list[int] = field(default_factory=list)  # the same for descriptors
    round_end_db_fds: list[int] = field(default_factory=list)  # the database files among them


async def _server(data_dir: Path, **env: str) -> tuple[ServerProcess, Account, str]:
    url = f"sqlite+aiosqlite:///{data_dir / 'cofacture.db'}"
    account, _ = await prepare(url)
    server = ServerProcess(data_dir, LOG_LEVEL="warning", **env)
    await server.start()
    return server, account, url


async def _rooms(server: ServerProcess) -> int:
    async with httpx.AsyncClient() as client:
        return int((await client.get(f"{server.http}/api/health")).json()["rooms"])


async def _until_unloaded(server: ServerProcess, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while await _rooms(server):
        if time.monotonic() > deadline:
            raise AssertionError("rooms still loaded")
        await asyncio.sleep(0.1)


async def _settled(pid: int, data_dir: Path) -> tuple[int, int, int]:
    """(RSS, descriptors, database descriptors) at the quietest of ten looks over a second: the
    HTTP connection that asked whether the rooms were unloaded may still be closing on the
    server's side when it answers (one socket more or less); a leaked descriptor stays."""
    best: tuple[int, int, int] | None = None
    for _ in range(10):
        rss, fds = usage(pid)
        db_fds = database_fds(pid, data_dir)
        if best is None or fds - db_fds < best[1] - best[2]:
            best = (rss, fds, db_fds)
        await asyncio.sleep(0.1)
    assert best is not None
    return best


async def cycles(
    count: int, invoice_count: int, concurrency: int = 20, rounds: int = 1
) -> CycleFigures:
    with tempfile.TemporaryDirectory(prefix="cycles-") as tmp:
        server, account, url = await _server(Path(tmp), ROOM_IDLE_UNLOAD="0.5")
        try:
            assert server.proc is not None
            pid = server.proc.pid
            ids = await _invoices(url, account, invoice_count)
            token = await server.login(account)
            urls = [f"{server.ws}/{i}?token={token}" for i in ids]
            # Warm the code paths and the database pool with the same concurrency as the
            # cycles, so that the baseline counts the pool's connections (kept open by design).
            warm = urls[: min(concurrency, len(urls))]
            await asyncio.gather(*(_synced(u, _edit(n)) for n, u in enumerate(warm)))
            await _until_unloaded(server)
            base_rss, base_fds, base_db_fds = await _settled(pid, Path(tmp))
            peak = [base_rss, base_fds]
            began = time.monotonic()
            round_ends: list[int] = []
            round_fds: list[int] = []
            round_db_fds: list[int] = []
            for _ in range(rounds):
                queue = iter(range(count))

                async def worker(queue: Iterator[int]) -> None:
                    for n in queue:
                        await _synced(urls[n % len(urls)], _edit(n))
                        if n % 50 == 0:
                            rss, fds = usage(pid)
                            peak[0], peak[1] = max(peak[0], rss), max(peak[1], fds)

                await asyncio.gather(*(worker(queue) for _ in range(concurrency)))
                await _until_unloaded(server)
                rss, fds, db_fds = await _settled(pid, Path(tmp))
                round_ends.append(rss)
                round_fds.append(fds)
                round_db_fds.append(db_fds)
            seconds = time.monotonic() - began
            end_rss, end_fds, end_db_fds = await _settled(pid, Path(tmp))
        finally:
            await server.stop()
    return CycleFigures(
        count * rounds, invoice_count, base_rss, peak[0], end_rss, base_fds, peak[1], end_fds,
        seconds, base_db_fds, end_db_fds, round_ends, round_fds, round_db_fds,
    )  # fmt: skip


@dataclass
class StormFigures:
    clients: int
    invoices: int
    first_sync_seconds: float
    resync_after_restart_seconds: float
    failed: int


async def storm(clients: int, invoice_count: int) -> StormFigures:
    with tempfile.TemporaryDirectory(prefix="storm-") as tmp:
        server, account, url = await _server(Path(tmp))
        try:
            ids = await _invoices(url, account, invoice_count)
            token = await server.login(account)
            urls = [f"{server.ws}/{ids[n % len(ids)]}?token={token}" for n in range(clients)]
            began = time.monotonic()
            await asyncio.gather(*(_synced(u) for u in urls))
            first = time.monotonic() - began
            await server.stop(signal.SIGKILL)
            await server.start()
            began = time.monotonic()
            results = await asyncio.gather(*(_synced(u) for u in urls), return_exceptions=True)
            again = time.monotonic() - began
        finally:
            await server.stop()
    failed = sum(isinstance(r, BaseException) for r in results)
    return StormFigures(clients, invoice_count, round(first, 2), round(again, 2), failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cycles")
    c.add_argument("--cycles", type=int, default=1000)
    c.add_argument("--invoices", type=int, default=50)
    c.add_argument("--rounds", type=int, default=1, help="repeat the cycles, RSS after each")
    s = sub.add_parser("storm")
    s.add_argument("--clients", type=int, default=200)
    s.add_argument("--invoices", type=int, default=20)
    args = parser.parse_args()
    if args.command == "cycles":
        result: Any = asyncio.run(cycles(args.cycles, args.invoices, rounds=args.rounds))
    else:
        result = asyncio.run(storm(args.clients, args.invoices))
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
