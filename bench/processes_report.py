"""Markdown tables of bench/processes.py's results (docs/benchmarks.md, "Several processes")."""

from __future__ import annotations

import statistics
from typing import Any

from bench.report import _fmt

Results = dict[str, Any]
SERVER_LABELS = ("process", "node")


def _median_cpu(runs: list[Results]) -> dict[str, float]:
    """Each process's median CPU over the runs (% of one core)."""
    labels = {label for run in runs for label in run.get("cpu_pct", {})}
    return {
        label: statistics.median(run["cpu_pct"][label] for run in runs if label in run["cpu_pct"])
        for label in sorted(labels)
    }


def _cpu_cells(cpu: dict[str, float]) -> tuple[str, str]:
    """('25.1 + 24.8 %', 'Redis 1.0 · PG 8.7 %') from a label -> % map."""
    servers = [v for k, v in cpu.items() if k.startswith(SERVER_LABELS)]
    names = (("redis", "Redis"), ("postgres", "PG"))
    rest = " · ".join(f"{name} {_fmt(cpu[key])}" for key, name in names if key in cpu)
    return " + ".join(_fmt(v) for v in servers) + " %", (rest + " %") if rest else "—"


def _others(run: Results) -> float | None:
    """What the rest of the machine (other people's work) used during the load, % of a core:
    the machine's busy time less every process of the benchmark, the generator included."""
    machine = run.get("machine_cpu_pct")
    if machine is None:
        return None
    cpu: dict[str, float] = run.get("cpu_pct", {})
    ours = sum(cpu.values()) + float(run.get("generator_cpu_pct", 0.0))
    return max(0.0, float(machine) - ours)


def _gc(runs: list[Results]) -> str:
    """The slow collections bench/gcprobe logged during these runs: how many, the longest."""
    if not any("gc_pauses" in run for run in runs):
        return "—"  # not ours, or not probed
    pauses = [p["ms"] for run in runs for p in run.get("gc_pauses", [])]
    return f"{len(pauses)}, longest {_fmt(max(pauses))} ms" if pauses else "0"


def _receipts(run: Results) -> str:
    found = run.get("receipts")
    if not found:
        return "—"
    same, other = found["same_server"], found["other_server"]
    return f"{_fmt(same['p99_ms'])} / {_fmt(other['p99_ms'])}"


def fanout_tables(results: Results) -> str:
    load = results["load"]
    out = []
    for mix in next(iter(results["runs"].values())):
        out += [
            f"\n**{load['clients']} clients, {load['rate']} updates/s in all, {mix} mix**\n",
            "| configuration | p50 / p95 / p99 ms (median run) | p99 ms of each run "
            "| p99 ms, receivers on the sender's process / on another | lost (all runs) "
            "| CPU % of a core, server processes | Redis · PostgreSQL | rest of the machine "
            "| GC pauses ≥ 20 ms in the load windows (all runs) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, label in results["configs"].items():
            runs = results["runs"][name][mix]
            median = results["median"][name][mix]
            if not median.get("ok"):
                out.append(f"| {label} | failed: {median.get('error')} | | | | | | | |")
                continue
            latency = " / ".join(_fmt(median[k]) for k in ("p50_ms", "p95_ms", "p99_ms"))
            each = ", ".join(_fmt(p) for p in median["p99_ms_all"])
            servers, rest = _cpu_cells(_median_cpu(runs))
            lost = sum(r.get("lost", 0) for r in runs)
            others = [o for o in map(_others, runs) if o is not None]
            busy = _fmt(statistics.median(others)) + " %" if others else "—"
            out.append(
                f"| {label} | {latency} | {each} | {_receipts(median)} | {lost} "
                f"| {servers} | {rest} | {busy} | {_gc(runs)} |"
            )
    return "\n".join(out)


def _median_round(ramps: list[Results]) -> Results:
    ranked = sorted(ramps, key=lambda r: r["highest_rate"] or 0)
    return ranked[(len(ranked) - 1) // 2]


def _step_at(ramp: Results, rate: int | None) -> Results | None:
    return next((s for s in ramp["steps"] if s["target_rate"] == rate), None)


def throughput_tables(results: Results) -> str:
    load = results["load"]
    out = [
        f"\n**{load['rooms']} rooms x {load['clients_per_room']} clients, {load['mix']} mix, "
        f"placement by {load['place']}**\n",
        "| configuration | highest sustained upd/s, each round | median | at that rate: p95 ms "
        "| CPU % of a core, server processes | Redis · PostgreSQL | generator CPU % "
        "| rest of the machine % | ramp stopped (median round) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in results["configs"].items():
        ramps = results["ramps"][name]
        median = _median_round(ramps)
        each = ", ".join(_fmt(r["highest_rate"]) for r in ramps)
        step = _step_at(median, median["highest_rate"])
        if step is None:
            out.append(f"| {label} | {each} | — | | | | | | {median['verdict']} |")
            continue
        servers, rest = _cpu_cells(step.get("cpu_pct", {}))
        out.append(
            f"| {label} | {each} | {_fmt(median['highest_rate'])} | {_fmt(step['p95_ms'])} "
            f"| {servers} | {rest} | {_fmt(step['generator_cpu_pct'])} | {_fmt(_others(step))} "
            f"| {median['verdict']} |"
        )
    rates: list[int] = load["rates"]
    names = list(results["configs"])
    out += [
        "\nEach step of the median round: p95 ms · server CPU % (all server processes together)\n",
        "| updates/s | " + " | ".join(results["configs"][n] for n in names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for rate in rates:
        cells = []
        for name in names:
            step = _step_at(_median_round(results["ramps"][name]), rate)
            cells.append(
                "—"
                if step is None
                else f"{_fmt(step.get('p95_ms'))} · {_fmt(step.get('server_cpu_pct'))}"
                + ("" if step.get("lost", 0) == 0 else f" ({step['lost']} lost)")
            )
        if any(c != "—" for c in cells):
            out.append(f"| {rate:,} | " + " | ".join(cells) + " |")
    return "\n".join(out)
