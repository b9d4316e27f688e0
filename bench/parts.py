"""What each part of the server costs per update: the same load on servers with one part turned
off at a time (bench/parts_off/sitecustomize.py), alternated over rounds, CPU read from
/proc/<pid>/stat (user and system apart) while the load runs.

    .venv/bin/python -m bench.parts --off none,persist,awareness,columns,inspect,uvloop --rounds 2

Parts: `persist` (the update log's writes), `awareness` (presence frames are dropped),
`columns` (the invoice's derived columns, written at most every 2 s), `inspect` (the shadow
document and the schema: every update accepted unread), `uvloop` (asyncio's own loop), `none`.
Several at once: `persist+inspect`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench import measures
from bench.measures import Load
from bench.run import running
from bench.servers import OursServer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _cpu_ticks(pid: int) -> tuple[int, int]:
    """(user, system) clock ticks of `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


async def one(off: str, work: Path, load: Load) -> tuple[float, float]:
    """(user %, system %) of a core, over the load's middle."""
    parts = "" if off == "none" else off.replace("+", ",")
    pythonpath = f"{HERE / 'parts_off'}{os.pathsep}{ROOT}"
    server = OursServer(work, PYTHONPATH=pythonpath, PARTS_OFF=parts)
    async with running(server):
        span = load.duration - 6

        async def sample() -> tuple[int, int]:
            await asyncio.sleep(4)  # the joins are not the subject
            before = _cpu_ticks(server.pid)
            await asyncio.sleep(span)
            after = _cpu_ticks(server.pid)
            return after[0] - before[0], after[1] - before[1]

        _, (user, system) = await asyncio.gather(measures.fanout_once(server, load), sample())
    per_second = os.sysconf("SC_CLK_TCK") * span / 100
    return user / per_second, system / per_second


async def main(args: argparse.Namespace) -> None:
    load = Load(args.clients, args.rate, args.duration, args.mix)
    variants = args.off.split(",")
    results: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="cofacture-parts-") as tmp:
        for round_ in range(args.rounds):
            for off in variants:
                work = Path(tmp) / f"{off}-{round_}"
                work.mkdir()
                results[off].append(await one(off, work, load))
    load_name = f"{args.clients} clients, {args.rate}/s, {args.mix} mix"
    print(f"| turned off ({load_name}) | user % | system % |")
    print("|---|---|---|")
    for off, runs in results.items():
        users = " / ".join(f"{u:.1f}" for u, _ in runs)
        systems = " / ".join(f"{s:.1f}" for _, s in runs)
        print(f"| {off} | {users} | {systems} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--off", default="none,persist,awareness,columns,inspect")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--duration", type=float, default=16.0)
    parser.add_argument("--mix", default="single", choices=measures.MIXES)
    asyncio.run(main(parser.parse_args()))
