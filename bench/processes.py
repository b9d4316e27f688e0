"""Benchmarks across processes (issue 15): cross-process fan-out, and aggregate throughput.

    .venv/bin/python -m bench.processes fanout [--quick] [--clients 20] [--rate 100] \\
        [--duration 5] [--repeats 3] [--configs node,1,1+redis,2+redis]
    .venv/bin/python -m bench.processes throughput [--quick] [--rooms 12] [--clients 3] \\
        [--rates 250,500,...] [--repeats 3] [--configs node,1+redis,2+redis,3+redis] \\
        [--place room|client]

`fanout`: one room, `--clients` clients spread round-robin over the configuration's processes
(client i on process i mod N), `--rate` updates/s in all; both edit mixes. `throughput`: many
rooms of a few clients each, the aggregate rate raised until p95 reaches 100 ms, an update is
lost or the generator cannot keep up (bench/measures.py `ramp_by`). `--place room` keeps each
room on one process (rooms spread round-robin: sharding by invoice), `client` spreads every
room's clients over the processes (each update crosses Redis).

Every measurement runs `--repeats` times, in rounds: each round starts every configuration
afresh, in turn, so a noisy minute on the shared machine does not land on one of them only.
The Markdown report goes to stdout, progress to stderr, raw figures to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import measures  # noqa: E402
from bench.cluster_load import Config, Load, Target, problems, run, running  # noqa: E402
from bench.loadgen import Result  # noqa: E402
from bench.processes_report import fanout_tables, throughput_tables  # noqa: E402
from bench.run import code_version, machine, progress  # noqa: E402

FANOUT_CONFIGS = "node,1,1+redis,2+redis"
THROUGHPUT_CONFIGS = "node,1+redis,2+redis,3+redis"
THROUGHPUT_RATES = "250,500,750,1000,1500,2000,3000,4000"
SLOWEST = 10  # the slowest updates of each run, with when they were sent, in the raw results


def _brief(result: Result) -> str:
    keys = ("p50_ms", "p95_ms", "p99_ms", "lost", "cpu_pct", "gc_pauses", "error")
    return " ".join(f"{k}={result[k]}" for k in keys if k in result)


def _check(target: Target, result: Result) -> None:
    """Say at once when ours logged an update twice (or not at all) or quarantined one."""
    if "log_rows" in result and result["log_rows"] != result["log_rows_expected"]:
        progress(f"  !! log rows {result['log_rows']} != expected {result['log_rows_expected']}")
    if result.get("quarantined"):
        progress(f"  !! {result['quarantined']} quarantined entries in {target.config.name}")


async def fanout(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    configs = [Config.parse(name) for name in args.configs.split(",")]
    runs: dict[str, dict[str, list[Result]]] = {
        c.name: {mix: [] for mix in args.mixes} for c in configs
    }
    logs: dict[str, list[object]] = {c.name: [] for c in configs}
    warmups: dict[str, list[Result]] = {c.name: [] for c in configs}
    for round_ in range(args.repeats):
        for config in configs:
            where = work / f"fanout-{config.name}-{round_}"
            async with running(
                config, where, gc_probe=args.gc_probe, gc_freeze=args.gc_freeze
            ) as target:
                progress(f"round {round_ + 1}: {config.label} on {', '.join(target.urls)}")
                if args.warmup:
                    load = Load(1, args.clients, args.rate, args.warmup, args.mixes[0], "client")
                    warmups[config.name].append(await warmup(target, load))
                for mix in args.mixes:
                    load = Load(1, args.clients, args.rate, args.duration, mix, "client")
                    result = await run(target, load, slowest=SLOWEST)
                    _check(target, result)
                    runs[config.name][mix].append(result)
                    progress(f"  {mix}: {_brief(result)}")
                logs[config.name].append(problems(target))
    return {
        "load": {"clients": args.clients, "rate": args.rate, "duration": args.duration},
        "configs": {c.name: c.label for c in configs},
        "runs": runs,
        "median": {
            name: {mix: measures.median_run(found) for mix, found in by_mix.items()}
            for name, by_mix in runs.items()
        },
        "warmups": warmups,
        "server_logs": logs,
    }


async def warmup(target: Target, load: Load) -> Result:
    """A discarded run on a freshly started configuration: a new process's first few hundred
    updates end in its first full garbage collections (~100 ms each here), not what a
    long-running server's clients see at every moment."""
    result = await run(target, load, slowest=SLOWEST)
    progress(f"  warm-up ({load.duration:g} s, not reported): {_brief(result)}")
    return result


async def throughput(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    configs = [Config.parse(name) for name in args.configs.split(",")]
    rates = [int(r) for r in args.rates.split(",")]
    ramps: dict[str, list[Result]] = {c.name: [] for c in configs}
    logs: dict[str, list[object]] = {c.name: [] for c in configs}
    warmups: dict[str, list[Result]] = {c.name: [] for c in configs}
    for round_ in range(args.repeats):
        for config in configs:
            where = work / f"throughput-{config.name}-{round_}"
            async with running(
                config, where, gc_probe=args.gc_probe, gc_freeze=args.gc_freeze
            ) as target:
                progress(f"round {round_ + 1}: {config.label}, {args.place} placement")
                if args.warmup:
                    load = Load(
                        args.rooms, args.clients, rates[0], args.warmup, args.mix, args.place
                    )
                    warmups[config.name].append(await warmup(target, load))

                async def step(rate: int, target: Target = target) -> Result:
                    load = Load(args.rooms, args.clients, rate, args.duration, args.mix, args.place)
                    result = await run(target, load, slowest=SLOWEST)
                    _check(target, result)
                    progress(f"  {rate}/s: {_brief(result)}")
                    return result

                ramp = await measures.ramp_by(step, rates, confirm=args.confirm)
                progress(f"  highest sustained: {ramp['highest_rate']} ({ramp['verdict']})")
                ramps[config.name].append(ramp)
                logs[config.name].append(problems(target))
    return {
        "load": {
            "rooms": args.rooms,
            "clients_per_room": args.clients,
            "place": args.place,
            "mix": args.mix,
            "duration": args.duration,
            "rates": rates,
        },
        "configs": {c.name: c.label for c in configs},
        "ramps": ramps,
        "highest": {
            name: statistics.median_low([r["highest_rate"] or 0 for r in found])
            for name, found in ramps.items()
        },
        "warmups": warmups,
        "server_logs": logs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks across server processes (issue 15)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("fanout", "throughput"):
        sub = commands.add_parser(name)
        sub.add_argument("--quick", action="store_true", help="one round, 2 s loads")
        sub.add_argument("--duration", type=float, default=5.0, help="seconds of load per run")
        sub.add_argument("--repeats", type=int, default=3, help="rounds (medians are reported)")
        sub.add_argument("--out", type=Path, help="raw results as JSON")
        sub.add_argument("--report", type=Path, help="only print the tables of a saved JSON run")
        sub.add_argument(
            "--warmup",
            type=float,
            default=5.0,
            help="seconds of discarded load per start (0: none)",
        )
        sub.add_argument(
            "--gc-freeze",
            type=float,
            metavar="S",
            help="our processes call gc.freeze() S s after starting (an experiment)",
        )
        sub.add_argument(
            "--no-gc-probe",
            dest="gc_probe",
            action="store_false",
            help="do not log our processes' slow garbage collections (bench/gcprobe)",
        )
    fan = commands.choices["fanout"]
    fan.add_argument("--clients", type=int, default=20)
    fan.add_argument("--rate", type=int, default=100, help="updates/s in all")
    fan.add_argument("--configs", default=FANOUT_CONFIGS)
    fan.add_argument("--mixes", type=lambda s: s.split(","), default=list(measures.MIXES))
    thr = commands.choices["throughput"]
    thr.add_argument("--rooms", type=int, default=12)
    thr.add_argument("--clients", type=int, default=3, help="per room")
    thr.add_argument("--rates", default=THROUGHPUT_RATES, help="updates/s in all, ascending")
    thr.add_argument("--configs", default=THROUGHPUT_CONFIGS)
    thr.add_argument("--mix", default="realistic", choices=measures.MIXES)
    thr.add_argument("--place", default="room", choices=("room", "client"))
    thr.add_argument("--confirm", type=int, default=1, help="re-runs of a failing step")
    args = parser.parse_args()
    tables = fanout_tables if args.command == "fanout" else throughput_tables
    if args.report:
        print(tables(json.loads(args.report.read_text())))
        return
    if args.quick:
        args.repeats, args.duration, args.warmup = 1, 2.0, min(args.warmup, 2.0)
        if args.command == "throughput":
            args.rooms, args.rates, args.confirm = 6, "250,1000,2000", 0
    # A SIGTERM unwinds like Ctrl-C, so every server, Redis and database is still cleaned up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    header = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": machine(),
        "code": code_version(),
        "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
    }
    with tempfile.TemporaryDirectory(prefix="cofacture-processes-") as tmp:
        measure = fanout if args.command == "fanout" else throughput
        results = {**header, **asyncio.run(measure(args, Path(tmp)))}
    results["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    results["elapsed_s"] = round(time.monotonic() - started)
    out = args.out or ROOT / "bench" / "results" / f"processes-{args.command}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(tables(results))
    progress(f"done in {results['elapsed_s']} s; raw results in {out}")


if __name__ == "__main__":
    main()
