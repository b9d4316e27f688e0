"""Turn a run's results into Markdown: the side-by-side table, the ratios, the targets."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from bench.measures import MIXES, generator_limited

Results = dict[str, Any]
Cell = Callable[[Results], str]
OURS = "cofacture"
# A server using this much of a core on a step it failed was itself the limit there.
SERVER_BOUND_CPU_PCT = 85.0
FANOUT_LOADS = ("10x100", "20x100", "50x100")


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = (
        f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:.1f}"
        if abs(value) >= 10
        else f"{value:.2f}"
    )
    return text + unit


def _latency(run: Results | None) -> str:
    if not run:
        return "—"
    if not run.get("ok"):
        return f"failed: {run.get('error', '?')}"
    text = " / ".join(_fmt(run.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms"))
    return text + (" (generator saturated)" if generator_limited(run) else "")


def _rate(ramp: Results | None) -> str:
    if not ramp:
        return "—"
    best = ramp["highest_rate"]
    if best is None:
        return f"< {ramp['steps'][0]['target_rate']}/s ({ramp['verdict']})"
    if ramp["verdict"] == "every step passed":
        return f"≥ {best:,}/s (the highest step tried)"
    if ramp["at_least"]:
        return f"≥ {best:,}/s ({ramp['verdict']})"
    return f"{best:,}/s"


def _row(label: str, servers: dict[str, Results], cell: Callable[[Results], str]) -> str:
    return "| " + " | ".join([label, *(cell(s) for s in servers.values())]) + " |"


def table(results: Results) -> str:
    servers: dict[str, Results] = results["servers"]
    lines = [
        "| | " + " | ".join(servers) + " |",
        "|---" * (len(servers) + 1) + "|",
        _row("permessage-deflate (negotiated with `ws`)", servers, lambda s: str(s["deflate"])),
    ]
    for load in FANOUT_LOADS:
        k, r = load.split("x")
        lines.append(
            _row(
                f"fan-out p50 / p95 / p99 ms, {k} clients, {r} upd/s",
                servers,
                functools.partial(_fanout_cell, _latency, load),
            )
        )
        lines.append(
            _row(
                f"lost updates · server CPU, {k} clients",
                servers,
                functools.partial(_fanout_cell, _loss_cpu, load),
            )
        )
    lines += [
        _row("highest rate with p95 < 100 ms, 10 clients", servers, lambda s: _rate(s.get("ramp"))),
        _row(
            "50 joining at once: synced within 5 s",
            servers,
            lambda s: _of(s.get("join"), "synced_within_5s", "clients"),
        ),
        _row(
            "… each saw the others' presence within 1 s",
            servers,
            lambda s: _of(s.get("join"), "presence_within_1s", "clients"),
        ),
        _row(
            "late joiner sees presence within 1 s",
            servers,
            lambda s: _of(s.get("join"), "late_joiners_see_presence_1s", "late_joiners"),
        ),
        _row(
            "memory per loaded room (1 client, small invoice)",
            servers,
            lambda s: _fmt((s.get("memory") or {}).get("kib_per_room"), " KiB"),
        ),
    ]
    cold = results.get("cold_load")
    if cold:
        for label in ("compaction_disabled", "compaction_enabled"):
            lines.append(
                _row(
                    f"cold load, 10,000-update log, {label.replace('_', ' ')} (median)",
                    servers,
                    functools.partial(_cold, cold=cold, label=label),
                )
            )
    return "\n".join(lines)


def _mix(server: Results, mix: str) -> Results:
    """A server's {fanout, ramp} of one edit mix; the single-key mix's is at the top level."""
    group: Results = server if mix == "single" else server.get(mix) or {}
    return group


def mixes(results: Results) -> str:
    """Both edit mixes, row after row, for every server of the run."""
    servers: dict[str, Results] = results["servers"]
    lines = ["| | " + " | ".join(servers) + " |", "|---" * (len(servers) + 1) + "|"]

    # Cell makers: a lambda in the loops below would see the loop variables' last values.
    def fanout(mix: str, load: str, cell: Callable[[Results | None], str]) -> Cell:
        return lambda s: cell((_mix(s, mix).get("fanout") or {}).get(load))

    def rate(mix: str) -> Cell:
        return lambda s: _rate(_mix(s, mix).get("ramp"))

    for load in FANOUT_LOADS:
        k, r = load.split("x")
        for mix in MIXES:
            label = f"p50 / p95 / p99 ms, {k} clients, {r} upd/s, {mix} mix"
            lines.append(_row(label, servers, fanout(mix, load, _latency)))
        for mix in MIXES:
            label = f"lost · server CPU, {k} clients, {mix} mix"
            lines.append(_row(label, servers, fanout(mix, load, _loss_cpu)))
    for mix in MIXES:
        label = f"highest rate with p95 < 100 ms, 10 clients, {mix} mix"
        lines.append(_row(label, servers, rate(mix)))
    return "\n".join(lines)


def ramp_steps(results: Results, mix: str = "single", clients: int = 10) -> str:
    """Each ramp step: p95 fan-out and server CPU, so the headroom under the ceiling shows."""
    servers: dict[str, Results] = results["servers"]
    by_rate: dict[int, dict[str, Results]] = {}
    for name, server in servers.items():
        for step in (_mix(server, mix).get("ramp") or {}).get("steps", []):
            by_rate.setdefault(step["target_rate"], {})[name] = step
    title = f"updates/s, {clients} clients" + ("" if mix == "single" else f", {mix} mix")
    lines = [
        f"| {title}: p95 ms · server CPU | " + " | ".join(servers) + " |",
        "|---" * (len(servers) + 1) + "|",
    ]
    for rate in sorted(by_rate):
        cells = [_step_cell(by_rate[rate].get(name)) for name in servers]
        lines.append(f"| {rate:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _step_cell(step: Results | None) -> str:
    if step is None:
        return "—"
    cell = f"{_fmt(step.get('p95_ms'))} · {_fmt(step.get('server_cpu_pct'), ' %')}"
    if step.get("lost"):
        cell += f" · {step['lost']} lost"
    return cell + (" (generator saturated)" if generator_limited(step) else "")


def _fanout_cell(cell: Callable[[Results | None], str], load: str, server: Results) -> str:
    return cell(server.get("fanout", {}).get(load))


def _loss_cpu(run: Results | None) -> str:
    if not run or not run.get("ok"):
        return "—"
    return f"{run.get('lost_total', run.get('lost'))} · {_fmt(run.get('server_cpu_pct'), ' %')}"


def _of(run: Results | None, key: str, total: str) -> str:
    return "—" if not run else f"{run.get(key)} of {run.get(total)}"


def _cold(server: Results, *, cold: Results, label: str) -> str:
    if server["name"] != OURS:
        return "n/a (no persistence)"
    return _fmt(cold[label]["cold_median_ms"], " ms")


def ratios(results: Results) -> str:
    """Ours divided by theirs, per metric; the last column says which way is better."""
    servers: dict[str, Results] = results["servers"]
    ours = servers[OURS]
    others = [name for name in servers if name != OURS]
    lines = [
        "| ours ÷ theirs | " + " | ".join(others) + " | better |",
        "|---" * (len(others) + 2) + "|",
    ]
    metrics: list[tuple[str, Callable[[Results], float | None], str]] = []
    for load in FANOUT_LOADS:
        k = load.split("x")[0]
        metrics.append((f"p99 fan-out, {k} clients", _get("fanout", load, "p99_ms"), "lower"))
        metrics.append(
            (f"server CPU, {k} clients", _get("fanout", load, "server_cpu_pct"), "lower")
        )
    metrics += [
        ("highest sustained rate", lambda s: (s.get("ramp") or {}).get("highest_rate"), "higher"),
        ("memory per loaded room", lambda s: (s.get("memory") or {}).get("kib_per_room"), "lower"),
    ]
    for mix in MIXES[1:]:
        for load in FANOUT_LOADS:
            k = load.split("x")[0]
            metrics.append(
                (
                    f"p99 fan-out, {k} clients, {mix} mix",
                    _get(mix, "fanout", load, "p99_ms"),
                    "lower",
                )
            )
            metrics.append(
                (
                    f"server CPU, {k} clients, {mix} mix",
                    _get(mix, "fanout", load, "server_cpu_pct"),
                    "lower",
                )
            )
        metrics.append(
            (f"highest sustained rate, {mix} mix", _get(mix, "ramp", "highest_rate"), "higher")
        )
    for label, get, better in metrics:
        cells = [_ratio(get(ours), get(servers[name])) for name in others]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {better} |")
    return "\n".join(lines)


def _get(*path: str) -> Callable[[Results], float | None]:
    def get(server: Results) -> float | None:
        node: Any = server
        for key in path:
            node = (node or {}).get(key)
        return None if node is None else float(node)

    return get


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "—"
    return f"{ours / theirs:.2f}x"


def targets(results: Results) -> str:
    """The issue's targets, each with the measured figure and met / not met."""
    servers = results["servers"]
    ours = servers[OURS]
    rows = ["| target | measured | verdict |", "|---|---|---|"]
    p99 = _get("fanout", "20x100", "p99_ms")(ours)
    rows.append(
        _target(
            "p99 fan-out < 10 ms, 20 clients, 100 upd/s",
            _fmt(p99, " ms"),
            None if p99 is None else p99 < 10,
        )
    )
    rows += _rate_targets(servers)
    kib = (ours.get("memory") or {}).get("kib_per_room")
    rows.append(
        _target(
            "≤ 100 KiB per loaded invoice", _fmt(kib, " KiB"), None if kib is None else kib <= 100
        )
    )
    cold = results.get("cold_load") or {}
    for label in ("compaction_disabled", "compaction_enabled"):
        ms = (cold.get(label) or {}).get("cold_median_ms")
        rows.append(
            _target(
                f"cold load < 50 ms ({label.replace('_', ' ')})",
                _fmt(ms, " ms"),
                None if ms is None else ms < 50,
            )
        )
    return "\n".join(rows)


def _rate_targets(servers: dict[str, Results]) -> list[str]:
    rows = []
    for name, factor in (("pycrdt-websocket", 2), ("@y/websocket-server", 1)):
        rows.append(
            _rate_target(
                f"highest sustained rate ≥ {factor}x {name}'s",
                servers[OURS].get("ramp") or {},
                (servers.get(name) or {}).get("ramp") or {},
                factor,
            )
        )
    for mix in MIXES[1:]:  # issue 15: at least the Node reference's
        name = "@y/websocket-server"
        if mix in servers[OURS] or mix in (servers.get(name) or {}):
            rows.append(
                _rate_target(
                    f"highest sustained rate, {mix} mix, ≥ {name}'s",
                    (servers[OURS].get(mix) or {}).get("ramp") or {},
                    ((servers.get(name) or {}).get(mix) or {}).get("ramp") or {},
                    1,
                )
            )
    return rows


def _rate_target(label: str, ours: Results, theirs: Results, factor: int) -> str:
    measured = f"{_rate(ours)} vs {_rate(theirs)}"
    mine, other = ours.get("highest_rate"), theirs.get("highest_rate")
    met: bool | None
    if mine is None or other is None:
        met = None if other is None else False
    elif mine >= factor * other:
        met = True
    elif ours.get("at_least"):
        met = None  # we were stopped by the generator, not by the server
    else:
        met = False
    if met and theirs.get("at_least"):
        # Their ramp was ended by the load generator (or ran out of steps), not necessarily
        # by their server: unless their server was saturated, the rates do not show ours is
        # ahead, and the verdict comes from what a core would carry at each one's CPU per
        # update.
        met, estimate = _by_cpu(ours, theirs, factor)
        measured += f" (theirs stopped by the load generator: {estimate})"
    return _target(label, measured, met)


def _by_cpu(ours: Results, theirs: Results, factor: int) -> tuple[bool | None, str]:
    """At the highest step both ran: met if their server was saturated there (the rates
    stand); else compare the updates a core would carry at each one's CPU per update,
    undetermined if theirs lost updates with CPU to spare."""
    mine_steps, their_steps = _steps(ours), _steps(theirs)
    common = set(mine_steps) & set(their_steps)
    if not common:
        return None, "no step in common to separate them"
    rate = max(common)
    theirs_cpu = their_steps[rate].get("server_cpu_pct") or 0
    if theirs_cpu >= SERVER_BOUND_CPU_PCT:
        return True, f"their server was saturated at {rate:,}/s ({theirs_cpu:.0f} % of a core)"
    if their_steps[rate].get("lost"):
        return None, f"theirs lost updates at {rate:,}/s: this load cannot separate them"
    mine, other = _per_core(mine_steps[rate]), _per_core(their_steps[rate])
    if mine is None or other is None:
        return None, "no CPU figure to separate them"
    met = mine >= factor * other
    return met, f"at {rate:,}/s a core would carry {mine:,.0f}/s of ours, {other:,.0f}/s of theirs"


def _steps(ramp: Results) -> dict[int, Results]:
    return {step["target_rate"]: step for step in ramp.get("steps") or [] if step.get("ok", True)}


def _per_core(step: Results) -> float | None:
    cpu, achieved = step.get("server_cpu_pct"), step.get("achieved_rate")
    return float(100 * achieved / cpu) if cpu and achieved else None


def _target(label: str, measured: str, met: bool | None) -> str:
    verdict = "undetermined" if met is None else "met" if met else "**not met**"
    return f"| {label} | {measured} | {verdict} |"


def markdown(results: Results) -> str:
    return "\n\n".join(
        [
            "### Results",
            table(results),
            "### Rate ramp",
            ramp_steps(results),
            "### Edit mixes side by side",
            mixes(results),
            *(
                part
                for mix in MIXES[1:]
                for part in (f"### Rate ramp, {mix} mix", ramp_steps(results, mix))
            ),
            "### Ratios",
            ratios(results),
            "### Targets",
            targets(results),
        ]
    )
