"""Online fuzzing: random and mutated y-websocket frames against a running server, while honest
Yjs clients keep editing the same invoice.

Each fuzz connection sends frames until the server closes it (then a new one is opened): valid
sync and presence frames with mutated payloads, frames of unknown types, truncated varints,
random bytes. Every few frames an honest client edits; the run checks that the other honest
client receives every edit, that no honest connection was ever closed, and that the stored
document equals what both honest clients hold.

Long run (starts its own server):  .venv/bin/python -m tests.fuzz_frames --frames 20000
The suite runs a short version (tests/test_fuzz_frames_e2e.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from collab.sync.protocol import encode_sync_step1, encode_sync_step2, encode_update
from server.auth.permissions import Role
from tests.fuzz_updates import mutate, realistic_updates
from tests.harness import ServerProcess, YjsClients, new_invoice, seed, stored_document, wait_for


@dataclass
class Figures:
    frames: int = 0
    connections: int = 0
    closes: Counter[int] = field(default_factory=Counter)
    honest_edits: int = 0

    def line(self) -> str:
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.closes.items()))
        return (
            f"{self.frames} frames over {self.connections} connections, "
            f"{self.honest_edits} honest edits converged; server closes by code: {codes}"
        )


def _frame(rng: random.Random, updates: list[bytes]) -> bytes:
    """One hostile frame: mostly well framed with a damaged payload, sometimes pure noise."""
    update, other = rng.choice(updates), rng.choice(updates)
    roll = rng.random()
    if roll < 0.35:
        return encode_update(mutate(rng, update, other))
    if roll < 0.5:
        return encode_sync_step2(mutate(rng, update, other))
    if roll < 0.6:
        return encode_sync_step1(bytes(rng.randrange(256) for _ in range(rng.randint(0, 12))))
    if roll < 0.75:
        state = {"user": {"name": "x" * rng.randint(0, 50)}, "field": rng.choice([None, 3, "a"])}
        body = json.dumps(state).encode()
        body = mutate(rng, body, body) if rng.random() < 0.5 else body
        # awareness: type 1, one entry: client id, clock, JSON state (lengths as varints < 128)
        payload = bytes([1, rng.randrange(1, 127), rng.randrange(0, 127)])
        return bytes([1, len(payload) + 1 + len(body)]) + payload + bytes([len(body) % 128]) + body
    if roll < 0.85:
        return bytes([rng.randrange(3, 256)]) + rng.randbytes(rng.randint(0, 16))
    return mutate(rng, encode_update(update), other)


async def _drain(ws: ClientConnection) -> int | None:
    """Read what the server sends until it closes the socket; its close code, or None."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def fuzz(
    server: ServerProcess, yjs: YjsClients, tokens: dict[str, str], invoice_id: str, *,
    frames: int, seed_value: int,
) -> Figures:  # fmt: skip
    rng = random.Random(seed_value)
    updates = realistic_updates(rng, 60)
    figures = Figures()
    url = f"{server.ws}/{invoice_id}?token={tokens['fuzzer']}"
    while figures.frames < frames:
        figures.connections += 1
        async with connect(url, max_size=None) as ws:
            reader = asyncio.create_task(_drain(ws))
            try:
                while figures.frames < frames and not reader.done():
                    await ws.send(_frame(rng, updates))
                    figures.frames += 1
                    if figures.frames % 50 == 0:
                        await _honest_edit(yjs, figures)
            except ConnectionClosed:
                pass
            finally:
                await ws.close()
            code = await reader
            figures.closes[code or 1000] += 1
    await _honest_edit(yjs, figures)
    return figures


async def _honest_edit(yjs: YjsClients, figures: Figures) -> None:
    value = f"honest {figures.honest_edits}"
    await yjs.call("set", name="a", key="buyer_reference", value=value)

    async def arrived() -> bool:
        return bool((await yjs.state("b"))["json"]["invoice"].get("buyer_reference") == value)

    await wait_for(arrived, timeout=10, what="an honest edit to reach the other client")
    figures.honest_edits += 1


async def check_honest_clients(
    server: ServerProcess, yjs: YjsClients, invoice_id: str
) -> dict[str, Any]:
    """Both honest clients still connected, never closed, and equal to the stored document."""
    for name in ("a", "b"):
        status = await yjs.call("status", name=name)
        assert status["closes"] == [] and status["wsconnected"], (name, status)
    a: dict[str, Any] = (await yjs.state("a"))["json"]
    b: dict[str, Any] = (await yjs.state("b"))["json"]

    async def stored_matches() -> bool:
        stored, _ = await stored_document(server.data_dir, invoice_id)
        return bool(stored == a == b)

    await wait_for(stored_matches, timeout=10, what="the stored document to equal the clients'")
    return a


async def main_async(frames: int, seed_value: int) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        accounts = await seed(data_dir, users={"alice": Role.EDITOR, "bob": Role.EDITOR})
        server = ServerProcess(data_dir)
        await server.start()
        try:
            async with YjsClients() as yjs:
                invoice_id = await new_invoice(data_dir, accounts["alice"])
                tokens = {
                    "a": await server.login(accounts["alice"]),
                    "b": await server.login(accounts["bob"]),
                    "fuzzer": await server.login(accounts["bob"]),
                }
                for name in ("a", "b"):
                    await yjs.call(
                        "open", name=name, url=server.ws, room=invoice_id, token=tokens[name]
                    )
                    await yjs.synced(name)
                figures = await fuzz(
                    server, yjs, tokens, invoice_id, frames=frames, seed_value=seed_value
                )
                await check_honest_clients(server, yjs, invoice_id)
                return figures
        finally:
            await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    figures = asyncio.run(main_async(args.frames, args.seed))
    print(f"{figures.line()} in {time.perf_counter() - start:.1f} s (seed {args.seed})")


if __name__ == "__main__":
    main()
