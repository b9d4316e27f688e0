"""The PDF render workers (server/exports/renderer.py) never outlive their server: stopped with
it on SIGTERM, and gone within seconds of a SIGKILL. Before, each stop left a fork server and
its worker running for good (130 of them after a few test runs on one machine, ~80 MB each)."""

from __future__ import annotations

import signal

import psutil
import pytest

from tests.access_helpers import token
from tests.conftest import Running
from tests.harness import wait_until
from tests.invoices_en16931 import CASES
from tests.test_exports import _get, _invoice


async def _render_processes(running: Running) -> list[psutil.Process]:
    """Render a PDF, then return the server's descendants (the fork server and its worker)."""
    alice = running.accounts["alice"]
    invoice_id = await _invoice(running, alice, CASES["rates_20_10_5_5"].document)
    r = await _get(running, await token(running.server, alice), f"/api/invoices/{invoice_id}/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
    assert running.server.proc is not None
    children: list[psutil.Process] = psutil.Process(running.server.proc.pid).children(
        recursive=True
    )
    assert children, "rendering must have started the worker pool"
    return children


def _all_gone(processes: list[psutil.Process]) -> bool:
    return not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
async def test_the_render_workers_stop_with_the_server(running: Running, sig: int) -> None:
    workers = await _render_processes(running)
    await running.server.stop(sig)
    await wait_until(lambda: _all_gone(workers), timeout=10, what="render processes gone")
