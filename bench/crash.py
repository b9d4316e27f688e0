"""Crash durability: a writer edits, the server is SIGKILLed at a random moment and restarted.

`python -m bench.crash --cycles 200 --db sqlite|postgres` (docs/reliability.md). Each cycle: a
writer and an observer connect to one invoice over the real protocol (pycrdt documents, the
y-websocket wire format); the writer appends lines with unique ids at ~300/s; the server gets
SIGKILL after a random 0.2-1.5 s. An update is *acknowledged* once the observer received it
(the server fanned it out). After the restart, and before any client reconnects, the stored
snapshot + log must hold every update acknowledged more than WINDOW before the kill; the
writer then reconnects with its whole history (as y-websocket does) and no line may be
stored twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pycrdt import Array, Doc, Map
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from collab.sync.protocol import (
    SyncMessage,
    SyncType,
    decode_message,
    encode_sync_step1,
    encode_sync_step2,
    encode_update,
)
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, migrate, sessions
from server.invoices import service as invoices
from server.invoices.documents import document_json
from server.invoices.store import SqlUpdateStore
from tests.databases import admin_sql, drop_database, postgres_url
from tests.harness import Account, ServerProcess

WINDOW = 0.1  # the documented crash window: one group commit, well under 100 ms


@dataclass
class Figures:
    db: str
    cycles: int = 0
    acknowledged: int = 0  # distinct updates the observer saw before a kill
    lost: int = 0  # acknowledged more than WINDOW before the kill, missing after restart
    lost_in_window: int = 0  # acknowledged within WINDOW of the kill, missing (allowed)
    duplicated: int = 0  # lines stored more than once after the writer reconnected
    restored_by_client: int = 0  # missing after restart, back after the writer reconnected
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


async def database(kind: str, data_dir: Path) -> tuple[str, str | None]:
    """The URL to use, and the PostgreSQL database to drop afterwards."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{data_dir / 'cofacture.db'}", None
    name = f"cofacture_crash_{uuid.uuid4().hex[:10]}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    return postgres_url(name), name


async def prepare(url: str) -> tuple[Account, str]:
    engine = create_engine(url)
    await migrate(engine)
    async with sessions(engine).begin() as db:
        org = await accounts.create_org(db, name="Crash")
        user = await accounts.create_user(
            db, org=org, email="w@crash.test", password="correct horse", role=Role.EDITOR, name="W"
        )
        invoice = await invoices.create_invoice(db, user_id=user.id, org_id=org.id)
    await engine.dispose()
    return Account("w@crash.test", "correct horse", user.id, org.id), invoice.id


async def stored_ids(url: str, invoice_id: str) -> list[str]:
    engine = create_engine(url)
    try:
        stored = await SqlUpdateStore(engine).load(invoice_id)
    finally:
        await engine.dispose()
    return [line["id"] for line in document_json(stored.to_doc())["lines"]]


class Writer:
    """A client that keeps its document across connections and resyncs like y-websocket."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.lines = self.doc.get("lines", type=Array)

    def append(self, key: str) -> bytes:
        """Add a line; return exactly that change as an update."""
        before = self.doc.get_state()
        self.lines.append(Map({"id": key}))
        return self.doc.get_update(before)

    async def sync(self, ws: ClientConnection) -> None:
        """Answer the server's step 1 with our history; apply whatever it sends."""
        await ws.send(encode_sync_step1(self.doc.get_state()))
        try:
            async for frame in ws:
                assert isinstance(frame, bytes)
                message = decode_message(frame)
                if not isinstance(message, SyncMessage):
                    continue
                if message.kind is SyncType.STEP1:
                    await ws.send(encode_sync_step2(self.doc.get_update(message.payload)))
                else:
                    self.doc.apply_update(message.payload)
        except ConnectionClosed:
            pass


async def observe(ws: ClientConnection, seen: dict[str, float]) -> None:
    doc: Doc[Any] = Doc()
    lines = doc.get("lines", type=Array)
    await ws.send(encode_sync_step1(b"\x00"))
    try:
        async for frame in ws:
            assert isinstance(frame, bytes)
            message = decode_message(frame)
            if isinstance(message, SyncMessage) and message.kind is not SyncType.STEP1:
                doc.apply_update(message.payload)
                now = time.monotonic()
                for line in lines:
                    seen.setdefault(line["id"], now)
    except ConnectionClosed:
        pass


async def cycle(n: int, server: ServerProcess, url: str, writer: Writer, figures: Figures) -> None:
    token = await server.login(ACCOUNT)
    ws_url = f"{server.ws}/{INVOICE}?token={token}"
    seen: dict[str, float] = {}
    async with connect(ws_url) as w, connect(ws_url) as o:
        syncing = asyncio.create_task(writer.sync(w))
        watching = asyncio.create_task(observe(o, seen))
        sent: set[str] = set()
        duration = random.uniform(0.2, 1.5)
        started = time.monotonic()
        i = 0
        while time.monotonic() - started < duration:
            key = f"c{n}-{i}"
            await w.send(encode_update(writer.append(key)))
            sent.add(key)
            i += 1
            await asyncio.sleep(0.003)
        killed = time.monotonic()
        await server.stop(signal.SIGKILL)
        await asyncio.wait_for(asyncio.gather(syncing, watching), 5)
    await server.start()
    after_restart = set(await stored_ids(url, INVOICE))
    acknowledged = {k for k in seen if k in sent}
    figures.acknowledged += len(acknowledged)
    lost = {k for k in acknowledged if seen[k] < killed - WINDOW} - after_restart
    figures.lost += len(lost)
    figures.lost_in_window += len(acknowledged - after_restart - lost)
    if lost:
        figures.failures.append(f"cycle {n}: lost {sorted(lost)[:5]}")
    # The writer reconnects with everything it made, as a real client would.
    token = await server.login(ACCOUNT)
    async with connect(f"{server.ws}/{INVOICE}?token={token}") as w:
        resync = asyncio.create_task(writer.sync(w))
        deadline = time.monotonic() + 10
        mine = {line["id"] for line in writer.lines}
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if mine <= set(await stored_ids(url, INVOICE)):
                break
        await w.close()
        await resync
    ids = await stored_ids(url, INVOICE)
    figures.restored_by_client += len((sent - after_restart) & set(ids))
    dupes = [k for k, count in Counter(ids).items() if count > 1]
    figures.duplicated += len(dupes)
    if dupes:
        figures.failures.append(f"cycle {n}: duplicated {dupes[:5]}")
    figures.cycles += 1


ACCOUNT: Account
INVOICE: str


async def run(cycles: int, db: str, seed: int = 0) -> Figures:
    global ACCOUNT, INVOICE
    random.seed(seed)
    figures = Figures(db=db)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-") as tmp:
        data_dir = Path(tmp)
        url, pg_name = await database(db, data_dir)
        try:
            ACCOUNT, INVOICE = await prepare(url)
            server = ServerProcess(data_dir, DATABASE_URL=url, LOG_LEVEL="warning")
            await server.start()
            writer = Writer()
            for n in range(cycles):
                await cycle(n, server, url, writer, figures)
            await server.stop()
        finally:
            if pg_name is not None:
                await drop_database(pg_name)
    figures.seconds = round(time.monotonic() - began, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    figures = asyncio.run(run(args.cycles, args.db, args.seed))
    print(json.dumps(asdict(figures), indent=2))
    raise SystemExit(1 if figures.lost or figures.duplicated else 0)


if __name__ == "__main__":
    main()
