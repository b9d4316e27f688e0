"""Drive bench/fanout.mjs and measure the server process while the load runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "fanout.mjs"
# Generous: a fan-out run is setup + duration + grace; a join run ~10 s; a cold run a few s.
RUN_TIMEOUT_S = 120.0

Result = dict[str, Any]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = p.cpu_times()
            total += times.user + times.system
    return total


def rss_bytes(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


@dataclass
class CpuWindow:
    """CPU used by `pid` between the generator's load-start and load-end events."""

    pid: int
    _cpu0: float = 0.0
    _t0: float = 0.0
    percent: float | None = None

    def event(self, name: str) -> None:
        if name == "load-start":
            self._cpu0, self._t0 = cpu_seconds(self.pid), time.monotonic()
        elif name == "load-end":
            wall = time.monotonic() - self._t0
            self.percent = round(100 * (cpu_seconds(self.pid) - self._cpu0) / wall, 1)


def _argv(mode: str, url: str, options: dict[str, object]) -> list[str]:
    argv = ["node", str(SCRIPT), mode, "--url", url]
    for key, value in options.items():
        if value is not None:
            argv += [f"--{key}", str(value)]
    return argv


@contextlib.asynccontextmanager
async def generator(
    mode: str, url: str, **options: object
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The Node generator as a child process, killed on the way out whatever happened."""
    proc = await asyncio.create_subprocess_exec(
        *_argv(mode, url, options),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def read_json_line(proc: asyncio.subprocess.Process, timeout: float) -> Result:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout)
    if not line:
        stderr = await proc.stderr.read() if proc.stderr else b""
        raise RuntimeError(f"load generator exited: {stderr.decode(errors='replace')[-2000:]}")
    result: Result = json.loads(line)
    return result


async def run(mode: str, url: str, *, server_pid: int, **options: object) -> Result:
    """One generator run; the result gets `server_cpu_pct` if the run had a load window."""
    cpu = CpuWindow(server_pid)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    async with generator(mode, url, **options) as proc:
        while True:
            message = await read_json_line(proc, max(1.0, deadline - time.monotonic()))
            if "event" in message:
                cpu.event(message["event"])
                continue
            if cpu.percent is not None:
                message["server_cpu_pct"] = cpu.percent
            return message
