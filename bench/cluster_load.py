"""One generator load against a configuration of servers: ours on N processes, or the Node
reference; CPU of every process involved, and what our database holds afterwards.

A configuration is named by what runs: `node` (@y/websocket-server, one process, in memory),
`1` (one process of ours on PostgreSQL), `1+redis`, `2+redis`, `3+redis` (that many processes
sharing the database and one Redis, REDIS_URL set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench import loadgen
from bench.cluster import ROOT, Cluster, cluster
from bench.loadgen import Result
from bench.servers import node_server

# Setup updates each room logs before the load (bench/fanout.mjs): the single mix's clients
# each push their own line; the realistic mix's first client writes the starting invoice.
GC_PROBE = ROOT / "bench" / "gcprobe"
GC_SLOW_MS = 20.0  # a collection at least this long is reported with the run it fell in
SETUP_UPDATES = {"single": lambda clients: clients, "realistic": lambda clients: 1}


@dataclass(frozen=True, slots=True)
class Config:
    name: str
    processes: int  # 0: the Node reference server
    redis: bool

    @classmethod
    def parse(cls, name: str) -> Config:
        if name == "node":
            return cls(name, 0, False)
        count, _, extra = name.partition("+")
        if not count.isdigit() or extra not in ("", "redis") or (int(count) > 1 and not extra):
            raise ValueError(f"unknown configuration {name!r} (node, 1, 1+redis, 2+redis, ...)")
        return cls(name, int(count), extra == "redis")

    @property
    def label(self) -> str:
        if not self.processes:
            return "@y/websocket-server (1 process)"
        plural = "es" if self.processes > 1 else ""
        return f"cofacture, {self.processes} process{plural}" + (
            " + Redis" if self.redis else ", no Redis"
        )


@dataclass(frozen=True, slots=True)
class Load:
    rooms: int
    clients: int  # per room
    rate: int  # updates/s in all, each by a random client among all rooms' clients
    duration: float
    mix: str = "single"
    place: str = "client"  # bench/fanout.mjs --place: which server each client connects to


@dataclass
class Target:
    """What a load runs against: URLs, the processes to measure, and fresh rooms."""

    config: Config
    urls: list[str]
    pids: dict[str, int]  # label -> pid, every process whose CPU is reported
    cluster: Cluster | None = None  # ours
    log_marks: list[int] = field(default_factory=list)

    async def rooms(self, count: int) -> list[str]:
        if self.cluster is None:
            return [f"bench-{time.monotonic_ns()}-{n}" for n in range(count)]
        return await self.cluster.rooms(count)


@contextlib.asynccontextmanager
async def running(
    config: Config, work: Path, *, gc_probe: bool = False, gc_freeze: float | None = None
) -> AsyncIterator[Target]:
    """The configuration started in `work`, stopped (and its database dropped) on the way out.
    `gc_probe`: our processes log their slow garbage collections (bench/gcprobe); `gc_freeze`:
    they also call `gc.freeze()` that many seconds after they start (before the first load)."""
    if not config.processes:
        work.mkdir(parents=True, exist_ok=True)
        server = node_server(work)
        await server.start()
        try:
            yield Target(config, [server.url], {"node": server.pid})
        finally:
            await server.stop()
        return
    env = {"PYTHONPATH": f"{GC_PROBE}{os.pathsep}{ROOT}"} if gc_probe or gc_freeze else {}
    if gc_freeze:
        env["GC_PROBE_FREEZE_AFTER"] = str(gc_freeze)
    started = time.monotonic()
    async with cluster(work, config.processes, redis=config.redis, **env) as ours:
        if gc_freeze:  # the freeze is timed from each interpreter's start: wait for it
            await asyncio.sleep(max(0.0, started + gc_freeze + 1.0 - time.monotonic()))
        pids = {f"process {n + 1}": p.pid for n, p in enumerate(ours.processes)}
        if ours.redis is not None:
            pids["redis"] = ours.redis.pid
        yield Target(config, ours.urls, pids, ours, [p.log_size() for p in ours.processes])


def _busy_seconds() -> float:
    """CPU time the whole machine spent on anything but idling, all cores together."""
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + t.irq + t.softirq)


class CpuMeter:
    """CPU of each process between the generator's load-start and load-end, in % of one core;
    with our cluster, also the PostgreSQL backends serving its database, together."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._cpu0: dict[str, float] = {}
        self._pg0: dict[int, float] = {}
        self._t0 = 0.0
        self._machine0 = 0.0
        self.percent: dict[str, float] = {}
        self.machine: float | None = None  # every process on the machine, % of one core
        self.window = (0.0, 0.0)  # the load's start and end, Unix time

    def _now(self) -> dict[str, float]:
        return {label: loadgen.cpu_seconds(pid) for label, pid in self.target.pids.items()}

    def event(self, name: str) -> None:
        ours = self.target.cluster
        if name == "load-start":
            self._cpu0, self._t0 = self._now(), time.monotonic()
            self._machine0 = _busy_seconds()
            self.window = (time.time(), 0.0)
            self._pg0 = ours.postgres_cpu_seconds() if ours else {}
        elif name == "load-end":
            wall = time.monotonic() - self._t0
            now = self._now()
            self.percent = {k: round(100 * (now[k] - self._cpu0[k]) / wall, 1) for k in now}
            self.machine = round(100 * (_busy_seconds() - self._machine0) / wall, 1)
            self.window = (self.window[0], time.time())
            if ours is not None:
                pg = ours.postgres_cpu_seconds()
                used = sum(cpu - self._pg0.get(pid, 0.0) for pid, cpu in pg.items())
                self.percent["postgres"] = round(100 * used / wall, 1)


async def run(
    target: Target,
    load: Load,
    *,
    slowest: int | None = None,
    on_event: Callable[[str], None] | None = None,
) -> Result:
    """One generator run on fresh rooms; then, for ours, the log rows of those rooms once every
    process made its accepted updates durable (each update should be logged exactly once).
    `slowest`: also list that many of the slowest updates, with when each was sent."""
    rooms = await target.rooms(load.rooms)
    meter = CpuMeter(target)
    token = target.cluster.token if target.cluster else None
    options: dict[str, object] = {
        "room": ",".join(rooms),
        "token": token,
        "clients": load.clients,
        "rate": load.rate,
        "duration": load.duration,
        "mix": load.mix,
        "place": load.place if len(target.urls) > 1 else None,
        "slowest": slowest,
    }
    deadline = time.monotonic() + loadgen.RUN_TIMEOUT_S + load.rooms * load.clients * 0.5
    async with loadgen.generator("fanout", ",".join(target.urls), **options) as proc:
        while True:
            message = await loadgen.read_json_line(proc, max(1.0, deadline - time.monotonic()))
            if "event" not in message:
                break
            meter.event(message["event"])
            if on_event is not None:
                on_event(message["event"])
    result: Result = dict(message)
    result["loadavg_1m"] = round(os.getloadavg()[0], 2)
    result["cpu_pct"] = meter.percent
    result["machine_cpu_pct"] = meter.machine
    servers = [v for k, v in meter.percent.items() if k.startswith(("process", "node"))]
    if servers:
        result["server_cpu_pct"] = round(sum(servers), 1)
    if target.cluster is not None:
        result["gc_pauses"] = gc_pauses(target.cluster, *meter.window)
    if target.cluster is not None and result.get("ok"):
        await target.cluster.settled()
        stored = await target.cluster.stored(rooms)
        expected = result["updates"] + load.rooms * SETUP_UPDATES[load.mix](load.clients)
        result.update(stored, log_rows_expected=expected)
    return result


def problems(target: Target) -> dict[str, object]:
    """What our processes logged at WARNING or above since they started serving, by process."""
    if target.cluster is None:
        return {}
    found: dict[str, object] = {}
    for n, (process, mark) in enumerate(
        zip(target.cluster.processes, target.log_marks, strict=True)
    ):
        if seen := process.log_problems(since=mark):
            found[f"process {n + 1}"] = seen
    return found


def gc_pauses(ours: Cluster, start: float, end: float) -> list[dict[str, object]]:
    """Collections of GC_SLOW_MS or more (logged by bench/gcprobe) during the load, and in the
    second after it (whose updates were still being delivered), by process."""
    found: list[dict[str, object]] = []
    for n, process in enumerate(ours.processes):
        with contextlib.suppress(OSError):
            for line in process.log_path.read_text(errors="replace").splitlines():
                if not line.startswith("GCPAUSE "):
                    continue
                fields = line.split()
                at, ms = float(fields[1]), float(fields[3].removeprefix("ms="))
                if ms >= GC_SLOW_MS and start <= at <= end + 1.0:
                    pause = {"process": n + 1, "at_s": round(at - start, 2), "ms": ms}
                    found.append({**pause, "gen": int(fields[2].removeprefix("gen="))})
    return found
