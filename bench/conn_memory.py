"""Memory per WebSocket connection: ours against the reference Node server, in one run.

Run: .venv/bin/python -m bench.conn_memory [--connections 500] [--servers cofacture,node]
     [--spread] [--tracemalloc] [--idle 3]

For each server: a warm-up room with a few clients (first-use costs: imports, pools, caches),
one invoice written by one client, then the RSS before and after `--connections` more real
y-websocket clients (tests/js/yclient.mjs, each with a presence) join that one invoice, are
synced and idle for `--idle` seconds. The growth divided by the count is the cost of one
connection, the document's cost excluded. `--spread` adds a second measurement with the same
clients spread over connections/10 invoices (each then also pays a tenth of a loaded document).

`--tracemalloc` runs ours once more under tracemalloc (a `sitecustomize` on the server's
PYTHONPATH starts tracing and dumps snapshots on SIGUSR1) and prints the allocation sites that
grew, per connection: the evidence for what to shrink.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import signal
import sys
import tempfile
import textwrap
import tracemalloc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bench import loadgen
from bench.servers import OursServer, Server, node_server
from tests.harness import YjsClients, wait_for

WARMUP_CLIENTS = 20
OPEN_BATCH = 50  # clients opened before waiting for them to sync
SYNC_TIMEOUT_S = 60.0

# Installed as `sitecustomize` in the traced server: SIGUSR1 starts tracing (from the start,
# imports under tracemalloc take minutes) and writes a snapshot to $CONN_MEMORY_SNAPSHOT, of
# live objects only: the server's high GC thresholds leave handshake garbage for a while.
_SITECUSTOMIZE = """\
import gc, os, signal, tracemalloc

def _dump(signum, frame):
    gc.collect()
    if not tracemalloc.is_tracing():
        tracemalloc.start(16)
    path = os.environ["CONN_MEMORY_SNAPSHOT"]
    tracemalloc.take_snapshot().dump(path + ".part")
    os.replace(path + ".part", path)

signal.signal(signal.SIGUSR1, _dump)
"""


@dataclass(frozen=True, slots=True)
class Figure:
    server: str
    layout: str
    connections: int
    rss_before_mib: float
    rss_after_mib: float

    @property
    def kib_per_connection(self) -> float:
        return (self.rss_after_mib - self.rss_before_mib) * 1024 / self.connections


class Clients:
    """Named real Yjs clients on one server, opened in batches and waited for."""

    def __init__(self, yjs: YjsClients, server: Server, *, presence: bool) -> None:
        self.yjs = yjs
        self.server = server
        self.presence = presence
        self.count = 0

    async def open(self, rooms: list[str], token: str | None) -> list[str]:
        names = []
        for start in range(0, len(rooms), OPEN_BATCH):
            batch = []
            for room in rooms[start : start + OPEN_BATCH]:
                self.count += 1
                name = f"{self.server.name}-{self.count}"
                args: dict[str, object] = {"name": name, "url": self.server.url, "room": room}
                if token is not None:
                    args["token"] = token
                if self.presence:
                    args["user"] = {"name": name}
                await self.yjs.call("open", **args)
                batch.append(name)
            await self.synced(batch)
            names += batch
            print(f"  {self.server.name}: {len(names)}/{len(rooms)} synced", file=sys.stderr)
        return names

    async def synced(self, names: list[str]) -> None:
        async def all_synced() -> bool:
            for name in names:
                status = await self.yjs.call("status", name=name)
                if not status["synced"]:
                    return False
            return True

        await wait_for(all_synced, timeout=SYNC_TIMEOUT_S, what=f"{len(names)} clients synced")

    async def write_invoice(self, name: str) -> None:
        """The invoice everyone then syncs: a header, a customer and five lines."""
        fields = {"name": "Dupont & Fils SARL", "email": "compta@dupont.example"}
        await self.yjs.call("setNested", name=name, key="customer", fields=fields)
        for key, value in (
            ("currency", "EUR"),
            ("issue_date", "2026-11-27"),
            ("due_date", "2026-12-27"),
            ("payment_terms", "Net 30 days, bank transfer"),
        ):
            await self.yjs.call("set", name=name, key=key, value=value)
        for i in range(5):
            await self.yjs.call(
                "setNested", name=name, key=f"line-{i}", fields={"description": f"Day {i}"}
            )

    async def close(self, names: list[str]) -> None:
        for name in names:
            with contextlib.suppress(RuntimeError):
                await self.yjs.call("destroy", name=name)


async def _rss_settled(pid: int, idle: float) -> int:
    await asyncio.sleep(idle)
    return loadgen.rss_bytes(pid)


async def measure(
    server: Server, *, connections: int, invoices: int, idle: float, presence: bool
) -> Figure:
    """RSS growth of a freshly started `server` as `connections` clients join `invoices`
    invoices that were already loaded (so the documents' cost is not counted)."""
    token = getattr(server, "token", None)
    async with YjsClients() as yjs:
        clients = Clients(yjs, server, presence=presence)
        warm_room, *rooms = (room.name for room in await server.rooms(1 + invoices))
        warm = await clients.open([warm_room] * WARMUP_CLIENTS, token)
        await clients.write_invoice(warm[0])
        # One client per invoice writes it and stays: the invoices are loaded and non-empty.
        writers = await clients.open(rooms, token)
        for writer in writers:
            await clients.write_invoice(writer)
        before = await _rss_settled(server.pid, idle)
        await clients.open([rooms[i % len(rooms)] for i in range(connections)], token)
        after = await _rss_settled(server.pid, idle)
    layout = "one invoice" if invoices == 1 else f"{invoices} invoices"
    return Figure(server.name, layout, connections, before / 2**20, after / 2**20)


@contextlib.asynccontextmanager
async def running(server: Server) -> AsyncIterator[Server]:
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _servers(names: list[str], work: Path, env: dict[str, str]) -> list[Server]:
    made: list[Server] = []
    for name in names:
        if name == "cofacture":
            made.append(OursServer(work / "ours", **env))
        elif name == "node":
            made.append(node_server(work))
        else:
            raise SystemExit(f"unknown server {name!r} (cofacture, node)")
    return made


def table(figures: list[Figure]) -> str:
    rows = [
        "| server | layout | connections | RSS before (MiB) | RSS after (MiB) "
        "| KiB per connection |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        rows.append(
            f"| {f.server} | {f.layout} | {f.connections} | {f.rss_before_mib:.1f} "
            f"| {f.rss_after_mib:.1f} | {f.kib_per_connection:.1f} |"
        )
    return "\n".join(rows)


async def traced(
    work: Path,
    *,
    connections: int,
    idle: float,
    top: int,
    presence: bool,
    keep: Path | None,
) -> str:
    """Ours under tracemalloc: the allocation sites that grew with `connections` clients."""
    site = work / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    snapshot_path = work / "snapshot"
    root = Path(__file__).resolve().parent.parent
    ours = OursServer(
        work / "traced",
        PYTHONPATH=f"{site}{os.pathsep}{root}",
        CONN_MEMORY_SNAPSHOT=str(snapshot_path),
    )

    async def snapshot() -> tracemalloc.Snapshot:
        snapshot_path.unlink(missing_ok=True)
        os.kill(ours.pid, signal.SIGUSR1)
        await wait_for(lambda: _exists(snapshot_path), timeout=120, what="snapshot")
        return tracemalloc.Snapshot.load(str(snapshot_path))

    async with running(ours), YjsClients() as yjs:
        clients = Clients(yjs, ours, presence=presence)
        warm_room, main_room = (room.name for room in await ours.rooms(2))
        warm = await clients.open([warm_room] * WARMUP_CLIENTS, ours.token)
        await clients.write_invoice(warm[0])
        (writer,) = await clients.open([main_room], ours.token)
        await clients.write_invoice(writer)
        await asyncio.sleep(idle)
        first = await snapshot()
        await clients.open([main_room] * connections, ours.token)
        await asyncio.sleep(idle)
        second = await snapshot()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        first.dump(str(keep / "before.snapshot"))
        second.dump(str(keep / "after.snapshot"))
    filters = [tracemalloc.Filter(False, tracemalloc.__file__)]
    first, second = first.filter_traces(filters), second.filter_traces(filters)
    lines = [f"### tracemalloc: growth per connection ({connections} connections, one invoice)"]
    total = sum(s.size_diff for s in second.compare_to(first, "filename"))
    lines.append(f"\nTraced Python growth: {total / connections / 1024:.1f} KiB per connection\n")
    lines.append("| bytes/conn | blocks/conn | site |\n|---:|---:|---|")
    for stat in second.compare_to(first, "lineno")[:top]:
        frame = stat.traceback[0]
        lines.append(
            f"| {stat.size_diff / connections:.0f} | {stat.count_diff / connections:.1f} "
            f"| {_short(frame.filename)}:{frame.lineno} |"
        )
    lines.append("\nLargest call paths (innermost last):\n")
    for stat in second.compare_to(first, "traceback")[: top // 2]:
        lines.append(f"- {stat.size_diff / connections:.0f} B/conn:")
        for frame in list(stat.traceback)[-8:]:
            lines.append(f"    {_short(frame.filename)}:{frame.lineno}")
    return "\n".join(lines)


async def _exists(path: Path) -> bool:
    return path.exists()


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


async def main(args: argparse.Namespace) -> None:
    load = os.getloadavg()
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{started}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, ", end="")
    print(f"{os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory(prefix="conn-memory-") as tmp:
        work = Path(tmp)
        figures: list[Figure] = []
        layouts = [1, max(1, args.connections // 10)] if args.spread else [1]
        servers = _servers([n for n in args.servers.split(",") if n], work, {})
        for invoices in layouts:
            for server in servers:
                async with running(server):
                    figure = await measure(
                        server,
                        connections=args.connections,
                        invoices=invoices,
                        idle=args.idle,
                        presence=args.presence,
                    )
                figures.append(figure)
        if figures:
            print(table(figures))
        if args.tracemalloc:
            print()
            report = await traced(
                work,
                connections=args.connections,
                idle=args.idle,
                top=args.top,
                presence=args.presence,
                keep=args.keep,
            )
            print(report)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or ""))
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--servers", default="cofacture,node")
    parser.add_argument("--spread", action="store_true", help="also over connections/10 invoices")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before each RSS")
    parser.add_argument("--presence", action="store_true", help="each client with a presence")
    parser.add_argument("--tracemalloc", action="store_true", help="attribute ours by site")
    parser.add_argument("--keep", type=Path, help="with --tracemalloc: save the snapshots here")
    parser.add_argument("--top", type=int, default=30, help="sites listed with --tracemalloc")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(_parse()))
