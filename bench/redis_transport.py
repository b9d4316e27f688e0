"""Redis pub/sub against Redis Streams as the hop from one process to another (issue 15).

    .venv/bin/python -m bench.redis_transport [--quick] [--seconds 5] [--repeats 3] \\
        [--rates 1000,5000] [--sizes 200,5000] [--memory-messages 100000] [--maxlen 10000]

A `redis-server` of its own on a free port. The publisher (this process) sends `size`-byte
messages at `rate`/s, open-loop: every millisecond whatever is due goes out in one pipeline, as
server/core/bus.py batches its outbox. The subscriber is another process (`--subscribe`, started
here) reading as the bus does (`PubSub.get_message`) or with a blocking `XREAD` loop; each
message carries its send time (CLOCK_MONOTONIC, common to all processes of the machine), so the
subscriber times the hop: publisher's pipeline, Redis, subscriber's read and parse. Then the
memory Redis holds after `--memory-messages` XADDs with `MAXLEN ~ maxlen` trimming, and without.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import struct
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cluster import RedisServer  # noqa: E402
from bench.loadgen import cpu_seconds  # noqa: E402

KEY = "bench:hop"
HEADER = struct.Struct("<qq")  # send time (ns, CLOCK_MONOTONIC), sequence number; -1: the end
TICK_S = 0.001
DRAIN_S = 1.0  # after the last message, for stragglers
STREAM_MAXLEN = 10_000  # what the hop runs trim to (approximately)


def _message(seq: int, size: int) -> bytes:
    head = HEADER.pack(time.monotonic_ns(), seq)
    return head + b"x" * max(0, size - len(head))


def _percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p / 100 + 0.5) - 1))], 3)


# -- the subscriber (another process) ----------------------------------------------------------


async def subscribe(port: int, transport: str) -> dict[str, Any]:
    """Read until the end marker; the latencies in ms, and this process's CPU seconds."""
    client = Redis(host="127.0.0.1", port=port)
    latencies: list[float] = []
    cpu0 = time.process_time()

    def receive(data: bytes) -> bool:
        sent, seq = HEADER.unpack_from(data)
        if seq < 0:
            return False
        latencies.append((time.monotonic_ns() - sent) / 1e6)
        return True

    if transport == "pubsub":
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(KEY)
        print("ready", flush=True)
        while True:
            message = await pubsub.get_message(timeout=0.05)  # as server/core/bus.py reads
            if message is not None and not receive(message["data"]):
                break
        await pubsub.aclose()
    else:
        last: Any = "$"
        print("ready", flush=True)
        running = True
        while running:
            found: Any = await client.xread({KEY: last}, block=1000, count=1000)
            for _stream, entries in found:
                for entry_id, fields in entries:
                    last = entry_id
                    running = running and receive(fields[b"d"])
    await client.aclose()
    ordered = sorted(latencies)
    return {
        "received": len(latencies),
        "p50_ms": _percentile(ordered, 50),
        "p99_ms": _percentile(ordered, 99),
        "max_ms": _percentile(ordered, 100),
        "subscriber_cpu_s": round(time.process_time() - cpu0, 2),
    }


# -- the publisher (this process) ------------------------------------------------------------


async def _publish(client: Redis, transport: str, batch: list[bytes]) -> None:
    async with client.pipeline(transaction=False) as pipe:
        for data in batch:
            if transport == "pubsub":
                pipe.publish(KEY, data)
            else:
                pipe.xadd(KEY, {"d": data}, maxlen=STREAM_MAXLEN, approximate=True)
        await pipe.execute()


async def hop(redis: RedisServer, transport: str, size: int, rate: int, seconds: float) -> Any:
    """One run: the subscriber's figures, plus what the publisher achieved and Redis's CPU."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bench.redis_transport", "--subscribe", transport, "--port", str(redis.port)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    client = Redis(host="127.0.0.1", port=redis.port)
    try:
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
        await client.delete(KEY)
        cpu0, started, sent = cpu_seconds(redis.pid), time.monotonic(), 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate)
            if due > sent:
                await _publish(client, transport, [_message(n, size) for n in range(sent, due)])
                sent = due
            await asyncio.sleep(TICK_S)
        wall = time.monotonic() - started
        redis_cpu = 100 * (cpu_seconds(redis.pid) - cpu0) / wall
        await asyncio.sleep(DRAIN_S)
        await _publish(client, transport, [HEADER.pack(time.monotonic_ns(), -1)])
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        result: dict[str, Any] = json.loads(line)
        result.update(sent=sent, achieved_rate=round(sent / wall), redis_cpu_pct=round(redis_cpu))
        result["subscriber_cpu_pct"] = round(100 * result["subscriber_cpu_s"] / wall)
        return result
    finally:
        await client.aclose()
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def memory(redis: RedisServer, *, messages: int, size: int, maxlen: int | None) -> Any:
    """Redis's used memory after `messages` XADDs of `size` bytes, trimmed to ~`maxlen`."""
    client = Redis(host="127.0.0.1", port=redis.port)
    try:
        await client.delete(KEY)
        before = int((await client.info("memory"))["used_memory"])
        for start in range(0, messages, 1000):
            async with client.pipeline(transaction=False) as pipe:
                for n in range(start, min(messages, start + 1000)):
                    data = _message(n, size)
                    if maxlen is None:
                        pipe.xadd(KEY, {"d": data})
                    else:
                        pipe.xadd(KEY, {"d": data}, maxlen=maxlen, approximate=True)
                await pipe.execute()
        after = int((await client.info("memory"))["used_memory"])
        return {
            "messages": messages,
            "size": size,
            "maxlen": maxlen,
            "xlen": await client.xlen(KEY),
            "key_bytes": await client.memory_usage(KEY),
            "used_memory_growth_mib": round((after - before) / 2**20, 2),
        }
    finally:
        await client.delete(KEY)
        await client.aclose()


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    redis = RedisServer(work / "redis")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
        "hops": [],
    }
    try:
        await redis.start()
        for size in args.sizes:
            for rate in args.rates:
                for transport in ("pubsub", "streams"):
                    runs = [
                        await hop(redis, transport, size, rate, args.seconds)
                        for _ in range(args.repeats)
                    ]
                    entry = {"transport": transport, "size": size, "rate": rate, "runs": runs}
                    results["hops"].append(entry)
                    print(f"{transport} {size} B {rate}/s: {runs}", file=sys.stderr, flush=True)
        results["memory"] = [
            await memory(redis, messages=args.memory_messages, size=size, maxlen=maxlen)
            for size in args.sizes
            for maxlen in (args.maxlen, None)
        ]
    finally:
        await redis.stop()
    results["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    return results


def _median(runs: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return "—"
    spread = f" ({min(values):g}\u2013{max(values):g})" if len(values) > 1 else ""
    return f"{statistics.median(values):g}{spread}"


def markdown(results: dict[str, Any]) -> str:
    out = [
        "| transport | message | rate/s | p50 ms | p99 ms | received / sent "
        "| CPU % of a core: Redis | subscriber |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for hop_ in results["hops"]:
        runs = hop_["runs"]
        got = f"{sum(r['received'] for r in runs):,} / {sum(r['sent'] for r in runs):,}"
        out.append(
            f"| {hop_['transport']} | {hop_['size']:,} B | {hop_['rate']:,} "
            f"| {_median(runs, 'p50_ms')} | {_median(runs, 'p99_ms')} | {got} "
            f"| {_median(runs, 'redis_cpu_pct')} | {_median(runs, 'subscriber_cpu_pct')} |"
        )
    out += ["", "| XADDs | message | MAXLEN | XLEN after | key bytes | used_memory growth |"]
    out.append("|---|---|---|---|---|---|")
    for m in results["memory"]:
        maxlen = f"~{m['maxlen']:,}" if m["maxlen"] else "none"
        out.append(
            f"| {m['messages']:,} | {m['size']:,} B | {maxlen} | {m['xlen']:,} "
            f"| {m['key_bytes']:,} | {m['used_memory_growth_mib']} MiB |"
        )
    return "\n".join(out)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description="Redis pub/sub vs Streams, one hop")
    parser.add_argument("--quick", action="store_true", help="1 s runs, one each, 10,000 XADDs")
    parser.add_argument("--seconds", type=float, default=5.0, help="publishing time per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--rates", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000]
    )
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[200, 5000]
    )
    parser.add_argument("--memory-messages", type=int, default=100_000)
    parser.add_argument("--maxlen", type=int, default=STREAM_MAXLEN)
    parser.add_argument("--out", type=Path, help="raw results as JSON")
    parser.add_argument("--subscribe", choices=("pubsub", "streams"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.subscribe:
        print(json.dumps(asyncio.run(subscribe(args.port, args.subscribe))), flush=True)
        return
    if args.quick:
        args.seconds, args.repeats, args.memory_messages = 1.0, 1, 10_000
    with tempfile.TemporaryDirectory(prefix="cofacture-redis-") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    out = args.out or ROOT / "bench" / "results" / "redis-transport.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
