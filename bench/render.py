"""What a PDF costs (docs/benchmarks.md, "PDF and Factur-X rendering").

`python -m bench.render --lines 20,200 --runs 5`:

1. In this process: the median time to render an invoice of each size as Factur-X (mapping,
   CII, the PDF/A-3b drawn by WeasyPrint, the XML attached), and as a plain PDF.
2. Through the real server and real Yjs clients (bench/fanout.mjs): the live fan-out p99 of
   `--clients` editors at `--rate` updates/s, idle, then while `--renders` Factur-X requests
   for the largest invoice are kept in flight over HTTP. Rendering runs in a worker process
   (server/exports/renderer.py), so the fan-out should stay within 2x of idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Array, Doc, Map

from bench import measures
from bench.measures import Load
from bench.servers import OursServer
from collab.invoice.en16931 import to_cii, to_semantic
from collab.sync import LogEntry
from server.core.db import create_engine
from server.exports.pdf import Layout, render_facturx, render_pdf
from server.invoices.store import SqlUpdateStore
from tests.harness import db_url
from tests.invoices_en16931 import SELLER, document, line


def invoice(lines: int) -> dict[str, Any]:
    """An invoice of `lines` lines over three VAT rates, as the editor writes it."""
    rates = ("20", "10", "5.5")
    rows = [line(f"l{i}", str(1 + i % 7), f"{12 + i % 90}.50", rates[i % 3]) for i in range(lines)]
    return document(rows, issue_date="2026-03-02")


def in_process(lines: int, runs: int) -> dict[str, float]:
    """Median milliseconds of a Factur-X render and of a plain PDF render."""
    content = invoice(lines)
    facturx: list[float] = []
    plain: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        semantic = to_semantic(content, number="F-1", issue_date=date(2026, 3, 2), seller=SELLER)
        render_facturx(semantic, cii=to_cii(semantic), seller=SELLER, layout=Layout(), draft=False)
        facturx.append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        render_pdf(semantic, seller=SELLER, layout=Layout(), draft=False)
        plain.append(1000 * (time.perf_counter() - start))
    return {
        "facturx_ms": round(statistics.median(facturx), 1),
        "pdf_ms": round(statistics.median(plain), 1),
    }


async def _stored_invoice(server: OursServer, content: dict[str, Any]) -> str:
    (room,) = await server.rooms(1)
    doc: Doc[Any] = Doc()
    header, rows = doc.get("invoice", type=Map), doc.get("lines", type=Array)

    def as_map(value: dict[str, Any]) -> Map[Any]:
        return Map({k: as_map(v) if isinstance(v, dict) else v for k, v in value.items()})

    for key, value in content["invoice"].items():
        header[key] = as_map(value) if isinstance(value, dict) else value
    for row in content["lines"]:
        rows.append(as_map(row))
    account = await server.prepare()
    engine = create_engine(db_url(server.data_dir))
    entry = LogEntry(room.name, 1, doc.get_update(), account.user_id, time.time())
    await SqlUpdateStore(engine).write([entry], [])
    await engine.dispose()
    return str(room.name)


async def _render_load(
    http: str, token: str, invoice_id: str, width: int, stop: asyncio.Event
) -> list[float]:
    """Keep `width` Factur-X requests in flight until `stop`; each one's seconds."""
    took: list[float] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=http, headers=headers, timeout=120) as client:

        async def worker() -> None:
            while not stop.is_set():
                start = time.monotonic()
                r = await client.get(f"/api/invoices/{invoice_id}/facturx.pdf")
                r.raise_for_status()
                took.append(time.monotonic() - start)

        await asyncio.gather(*(worker() for _ in range(width)))
    return took


async def through_server(args: argparse.Namespace, lines: int) -> dict[str, Any]:
    load = Load(args.clients, args.rate, args.duration)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as work:
        server = OursServer(Path(work))
        await server.start()
        try:
            http = server.url.replace("ws://", "http://").removesuffix("/ws/invoices")
            invoice_id = await _stored_invoice(server, invoice(lines))
            # One render first: the worker process starts and warms up outside the window.
            async with httpx.AsyncClient(base_url=http) as client:
                r = await client.get(
                    f"/api/invoices/{invoice_id}/facturx.pdf",
                    headers={"authorization": f"Bearer {server.token}"},
                    timeout=120,
                )
                r.raise_for_status()
            idle = await measures.fanout(server, load, repeats=args.repeats)
            stop = asyncio.Event()
            renders = asyncio.create_task(
                _render_load(http, server.token, invoice_id, args.renders, stop)
            )
            busy = await measures.fanout(server, load, repeats=args.repeats)
            stop.set()
            took = await renders
        finally:
            await server.stop()
    return {
        "lines": lines,
        "load": f"{load.clients} clients x {load.rate} updates/s for {load.duration} s",
        "idle_p99_ms": idle.get("p99_ms"),
        "busy_p99_ms": busy.get("p99_ms"),
        "idle_p50_ms": idle.get("p50_ms"),
        "busy_p50_ms": busy.get("p50_ms"),
        "lost": (idle.get("lost_total", 0), busy.get("lost_total", 0)),
        "renders_in_flight": args.renders,
        "renders_done": len(took),
        "render_wait_s_median": round(statistics.median(took), 2) if took else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--lines", default="20,200", help="invoice sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="renders per size (median)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rate", type=int, default=100, help="updates per second, all clients")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of fan-out load")
    parser.add_argument("--repeats", type=int, default=1, help="fan-out runs (median p99)")
    parser.add_argument("--renders", type=int, default=10, help="Factur-X requests in flight")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.lines.split(",")]
    out: dict[str, Any] = {"in_process": {n: in_process(n, args.runs) for n in sizes}}
    print(json.dumps(out), flush=True)
    if not args.skip_server:
        out["fanout"] = asyncio.run(through_server(args, max(sizes)))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
