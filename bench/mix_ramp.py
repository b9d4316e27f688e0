"""A finer rate ramp of one edit mix for chosen servers, and a py-spy profile of ours under it.

    .venv/bin/python -m bench.mix_ramp --mix realistic --servers cofacture,node \\
        --rates 100,200,300,400,600,800,1200,1600
    .venv/bin/python -m bench.mix_ramp --mix realistic --profile 300 --seconds 20

bench/run.py ramps every server on a coarse grid; this finds where each one stops (issue 15).
The profile (py-spy, of the bench extra) samples our server while the generator offers
RATE updates/s for SECONDS, and prints the top frames by own and by total time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import measures, report  # noqa: E402
from bench.measures import Load  # noqa: E402
from bench.run import machine, progress, running  # noqa: E402
from bench.servers import OursServer, Server, node_server, pycrdt_server  # noqa: E402

TOP = 10
# Frames every sample of a thread goes through (interpreter start, the event loop's dispatch):
# left out of the total-time ranking, where they would fill the top ten with 100 %.
SKELETON = (
    "thread (",  # --threads: each stack starts with its thread
    "<frozen runpy>",
    "server/__main__.py",
    "server/core/cli.py",
    "uvicorn/main.py",
    "uvicorn/server.py",
    "uvicorn/_compat.py",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "asyncio/events.py",
    "threading.py",
)
# Leaves where a thread waits rather than works (py-spy's idle detection misses these two).
IDLE = ("EpollSelector.select", "_connection_worker_thread")


def make_server(name: str, work: Path) -> Server:
    if name == "cofacture":
        return OursServer(work / "ours")
    if name == "node":
        return node_server(work)
    if name == "pycrdt":
        return pycrdt_server(work)
    raise SystemExit(f"unknown server {name!r} (cofacture, node, pycrdt)")


async def ramps(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "mix": args.mix, "servers": {}}
    for name in args.servers.split(","):
        server = make_server(name, work)
        async with running(server):
            progress(f"{server.name}: started, {args.mix} ramp")
            ramp = await measures.ramp(
                server,
                [int(r) for r in args.rates.split(",")],
                clients=args.clients,
                duration=args.duration,
                confirm=args.confirm,
                mix=args.mix,
            )
        progress(f"{server.name}: {ramp['highest_rate']} ({ramp['verdict']})")
        group = {"ramp": ramp}  # where bench/report.py looks for this mix
        entry = {"name": server.name, **(group if args.mix == "single" else {args.mix: group})}
        results["servers"][server.name] = entry
    return results


async def profile(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Our server under `args.profile` updates/s, sampled by py-spy for `args.seconds`."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    server = OursServer(work / "ours")
    raw = work / "profile.txt"
    async with running(server):
        # The clients join first: the sampling covers the load only.
        load = measures.fanout_once(
            server, Load(args.clients, args.profile, args.seconds + 4, args.mix)
        )
        sampler = _sample(spy, server.pid, raw, args.seconds, on_cpu=args.on_cpu)
        result, _ = await asyncio.gather(load, sampler)
    if args.raw:
        shutil.copyfile(raw, args.raw)
    samples = _collapsed(raw.read_text())
    idle = sum(c for stack, c in samples.items() if stack[-1].startswith(IDLE))
    threads: Counter[str] = Counter()
    for stack, count in samples.items():
        threads[stack[0]] += count
    return {
        "load": result,
        "samples": sum(samples.values()),
        "idle": idle,
        "threads": dict(threads),
        **_top(samples),
    }


async def _sample(spy: str, pid: int, out: Path, seconds: float, *, on_cpu: bool) -> None:
    await asyncio.sleep(3)  # the clients' joins and the starting invoice are not the subject
    # Without pausing the process py-spy cannot tell a waiting thread from a running one, so
    # the default profile is of wall time; `on_cpu` pauses it at each sample and keeps only the
    # thread holding the GIL: where the CPU goes, at some cost to the load.
    mode = ["--gil"] if on_cpu else ["--nonblocking"]
    proc = await asyncio.create_subprocess_exec(
        *[spy, "record", "-p", str(pid), "-r", "100", "-d", str(int(seconds))],
        *["-f", "raw", "-o", str(out), *mode, "--function", "--threads"],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-1000:]}")


def _collapsed(text: str) -> Counter[tuple[str, ...]]:
    """py-spy's raw format: one `frame;frame;...;leaf count` line per distinct stack."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def _top(stacks: Counter[tuple[str, ...]]) -> dict[str, list[tuple[str, float]]]:
    """Top frames by own time (the leaf) and by total time (anywhere on the stack), in % of
    all samples, the waiting ones (IDLE) included."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for stack, count in stacks.items():
        own[stack[-1]] += count
        for frame in set(stack):
            if not any(part in frame for part in SKELETON):
                total[frame] += count
    n = sum(stacks.values()) or 1
    return {
        "own": [(f, round(100 * c / n, 1)) for f, c in own.most_common(TOP)],
        "total": [(f, round(100 * c / n, 1)) for f, c in total.most_common(TOP)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Rate ramp of one edit mix; profile of ours")
    parser.add_argument("--mix", default="realistic", choices=measures.MIXES)
    parser.add_argument("--servers", default="cofacture,node", help="cofacture, node, pycrdt")
    parser.add_argument("--rates", default="100,200,300,400,600,800,1200,1600,2500")
    parser.add_argument("--clients", type=int, default=10)
    # Sustained: 5 s steps passed rates a 20 s run of the same rate failed (the document's
    # history grows with the load; docs/benchmarks.md, "The misuse probe under sustained load").
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per step")
    parser.add_argument("--confirm", type=int, default=2, help="re-runs of a failing step")
    parser.add_argument("--profile", type=int, metavar="RATE", help="profile ours at RATE")
    parser.add_argument("--seconds", type=float, default=20.0, help="profile length")
    parser.add_argument("--on-cpu", action="store_true", help="profile the GIL holder only")
    parser.add_argument("--out", type=Path, help="raw results as JSON")
    parser.add_argument("--raw", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cofacture-mix-") as tmp:
        if args.profile:
            results = asyncio.run(profile(args, Path(tmp)))
            for kind in ("own", "total"):
                print(f"\n| frame ({kind} time) | % of samples |\n|---|---|")
                print("\n".join(f"| `{frame}` | {pct} |" for frame, pct in results[kind]))
            print(f"\n{results['samples']} samples, {results['idle']} waiting (IDLE)")
            print(f"by thread: {results['threads']}")
            print(f"load: {json.dumps(results['load'])}")
        else:
            results = asyncio.run(ramps(args, Path(tmp)))
            print(report.ramp_steps(results, args.mix, args.clients))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
