"""The rate target's verdict in bench/report.py: when the load generator stops both servers at
the same step, the rates cannot separate them, and the verdict comes from the CPU per update
(what a core would carry), not from the tie."""

from __future__ import annotations

from typing import Any

from bench.report import OURS, _rate_targets


def _ramp(highest: int, cpu_at_highest: float, *, generator_limited: bool) -> dict[str, Any]:
    steps = [
        {
            "target_rate": rate,
            "achieved_rate": rate,
            "server_cpu_pct": cpu_at_highest * rate / highest,
        }
        for rate in (1000, highest)
    ]
    verdict = f"load generator limit at {highest}/s" if generator_limited else "p95 >= 100 ms"
    return {
        "highest_rate": highest,
        "at_least": generator_limited,
        "verdict": verdict,
        "steps": steps,
    }


def _node_row(ours: dict[str, Any], node: dict[str, Any]) -> str:
    servers = {OURS: {"ramp": ours}, "@y/websocket-server": {"ramp": node}}
    return next(row for row in _rate_targets(servers) if "@y/websocket-server" in row)


def test_a_tie_at_the_generator_limit_is_judged_by_cpu_per_update() -> None:
    # Worked by hand: 4,000/s at 87 % of a core is 4,598/s a core; at 25 %, 16,000/s.
    row = _node_row(
        _ramp(4000, 87.0, generator_limited=True), _ramp(4000, 25.0, generator_limited=True)
    )
    assert "a core would carry 4,598/s of ours, 16,000/s of theirs" in row
    assert row.endswith("| **not met** |")


def test_a_tie_where_ours_costs_less_per_update_is_met() -> None:
    row = _node_row(
        _ramp(4000, 20.0, generator_limited=True), _ramp(4000, 25.0, generator_limited=True)
    )
    assert "20,000/s of ours, 16,000/s of theirs" in row
    assert row.endswith("| met |")


def test_a_higher_rate_than_theirs_is_met_without_the_cpu() -> None:
    row = _node_row(
        _ramp(4000, 87.0, generator_limited=True), _ramp(3200, 25.0, generator_limited=False)
    )
    assert "a core would carry" not in row
    assert row.endswith("| met |")


def test_the_realistic_mix_has_its_own_row_against_node() -> None:
    # The realistic mix's ramps (issue 15), as 07:56 UTC's run measured them at 800/s:
    # 60.6 % against 21.3 % of a core, both stopped by the generator one step later.
    ours, node = _ramp(800, 60.6, generator_limited=True), _ramp(800, 21.3, generator_limited=True)
    servers = {
        OURS: {"ramp": _ramp(4000, 87.0, generator_limited=True), "realistic": {"ramp": ours}},
        "@y/websocket-server": {
            "ramp": _ramp(4000, 25.0, generator_limited=True),
            "realistic": {"ramp": node},
        },
    }
    row = next(r for r in _rate_targets(servers) if "realistic mix" in r)
    # 100 * 800 / 60.6 = 1,320; 100 * 800 / 21.3 = 3,756.
    assert "a core would carry 1,320/s of ours, 3,756/s of theirs" in row
    assert row.endswith("| **not met** |")
