"""Cofacture against pycrdt-websocket and @y/websocket-server, the same loads in one run.

    .venv/bin/python bench/run.py [--quick] [--out bench/results/full.json]

Each server is started in turn on a free 127.0.0.1 port, measured, and stopped (also on error).
The Markdown report goes to stdout, progress to stderr, raw figures to the --out JSON file.
Method and latest figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/run.py` puts bench/ on the path, not the repo

from bench import coldload, measures, report  # noqa: E402
from bench.measures import MIXES, Load  # noqa: E402
from bench.servers import OursServer, Server, node_server, pycrdt_server  # noqa: E402


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    repeats: int  # runs per fan-out config; the median is reported
    duration: float  # seconds of load per run
    ramp: tuple[int, ...]  # updates/s at 10 clients
    confirm: int  # extra runs of a failing ramp step
    join_repeats: int
    late_joiners: int  # joining one by one after the 50, each checked for presence within 1 s
    memory_rooms: int
    cold_invoices: int
    pycrdt_without_deflate: bool  # also ramp pycrdt-websocket with deflate off


QUICK = Plan(1, 5.0, (100, 1600, 4000), 0, 1, 3, 30, 3, False)
FULL = Plan(3, 5.0, (100, 200, 400, 800, 1600, 2500, 3200, 4000), 2, 3, 10, 200, 5, True)
FANOUT_LOADS = {"10x100": (10, 100), "20x100": (20, 100), "50x100": (50, 100)}
JOIN_CLIENTS = 50


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def running(server: Server) -> AsyncIterator[Server]:
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def measure_server(server: Server, plan: Plan, *, only_ramp: bool = False) -> dict[str, Any]:
    """Every measurement group on a freshly started server: one group's aftermath (rooms still
    unloading, a server left wedged by an overload) must not be measured as the next's.

    The single-key mix keeps its historical place (`fanout`, `ramp`); every other mix has its
    own `{mix: {fanout, ramp}}` entry with the same shape."""
    out: dict[str, Any] = {"name": server.name, "deflate": server.deflate, "fanout": {}}
    loads = {"10x100": FANOUT_LOADS["10x100"]} if only_ramp else FANOUT_LOADS
    mixes = MIXES[:1] if only_ramp else MIXES
    groups = {mix: out if mix == "single" else out.setdefault(mix, {"fanout": {}}) for mix in mixes}
    for mix, group in groups.items():
        async with running(server):
            progress(f"{server.name}: started (pid {server.pid}), {mix} mix")
            for key, (clients, rate) in loads.items():
                load = Load(clients, rate, plan.duration, mix)
                group["fanout"][key] = await measures.fanout(server, load, repeats=plan.repeats)
                progress(f"{server.name}: {key} {mix} {_brief(group['fanout'][key])}")
    for mix, group in groups.items():
        async with running(server):
            group["ramp"] = await measures.ramp(
                server,
                plan.ramp,
                clients=10,
                duration=plan.duration,
                confirm=plan.confirm,
                first=group["fanout"]["10x100"],
                mix=mix,
            )
            ramp = group["ramp"]
            progress(f"{server.name}: {mix} ramp {ramp['highest_rate']} ({ramp['verdict']})")
    if only_ramp:
        return out
    async with running(server):
        out["join"] = await measures.join(
            server, clients=JOIN_CLIENTS, late=plan.late_joiners, repeats=plan.join_repeats
        )
        progress(f"{server.name}: join {out['join']}")
    async with running(server):
        out["memory"] = await measures.memory(server, rooms=plan.memory_rooms)
        progress(f"{server.name}: memory {out['memory']}")
    return out


def _brief(result: dict[str, Any]) -> str:
    keys = ("p50_ms", "p95_ms", "p99_ms", "lost", "server_cpu_pct", "generator_cpu_pct", "error")
    return " ".join(f"{k}={result[k]}" for k in keys if k in result)


def code_version() -> str:
    """The commit measured, and whether the server's code differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "collab", "server")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else "")


def machine() -> dict[str, Any]:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "node": node.stdout.strip(),
    }


async def run(plan: Plan, work: Path) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if plan is QUICK else "full",
        "plan": dataclasses.asdict(plan),
        "machine": machine(),
        "code": code_version(),
        "settings": {"COMPACT_AFTER_UPDATES": "500 (default) for the load tests"},
        "servers": {},
    }
    servers: list[Server] = [
        OursServer(work / "ours"),
        pycrdt_server(work),
        node_server(work),
    ]
    for server in servers:
        results["servers"][server.name] = await measure_server(server, plan)
    progress("cofacture: cold load")
    results["cold_load"] = await coldload.measure(work / "cold", invoices=plan.cold_invoices)
    progress(f"cold load: {results['cold_load']}")
    if plan.pycrdt_without_deflate:
        extra = pycrdt_server(work, deflate=False)
        results["servers"][extra.name] = await measure_server(extra, plan, only_ramp=True)
    results["elapsed_s"] = round(time.monotonic() - started)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark Cofacture against two Yjs servers")
    parser.add_argument("--quick", action="store_true", help="one run per load, fewer steps")
    parser.add_argument("--out", type=Path, help="raw results as JSON (default bench/results/)")
    parser.add_argument("--report", type=Path, help="only print the report of a saved JSON run")
    args = parser.parse_args()
    if args.report:
        print(report.markdown(json.loads(args.report.read_text())))
        return
    plan = QUICK if args.quick else FULL
    out = args.out or ROOT / "bench" / "results" / f"{'quick' if args.quick else 'full'}.json"
    with tempfile.TemporaryDirectory(prefix="cofacture-bench-") as tmp:
        results = asyncio.run(run(plan, Path(tmp)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(report.markdown(results))
    progress(f"done in {results['elapsed_s']} s; raw results in {out}")


if __name__ == "__main__":
    main()
