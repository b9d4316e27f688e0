"""A real server SIGKILLed in the middle of a recurring catch-up, restarted: each period has
one draft, with its content, and no period has two."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, db_url, new_invoice, wait_for
from tests.test_workflow_api import _valid_update

PERIODS = 36  # enough work that the kill lands in the middle of it


async def test_a_server_killed_mid_catch_up_makes_each_period_once(tmp_path: Path) -> None:
    env = {"JOB_LEASE_SECONDS": "3"}
    async with server_with(tmp_path, {"alice": Role.EDITOR}, **env) as (server, made):
        alice = made["alice"]
        template = await new_invoice(tmp_path, alice)
        engine = create_engine(db_url(tmp_path))
        store = SqlUpdateStore(engine)
        await store.write([LogEntry(template, 1, _valid_update(), alice.user_id, time.time())], [])
        await store.aclose()
        await engine.dispose()
        bearer = await token(server, alice)
        # Monthly on the 1st, started 38 months ago, 36 periods: all due, caught up at once.
        today = datetime.now(UTC).date()
        start = today.replace(day=1) - timedelta(days=38 * 31)
        body = {"frequency": "monthly", "day": 1, "start": start.replace(day=1).isoformat()}
        async with api(server, bearer) as http:
            r = await http.post(
                f"/api/invoices/{template}/recurring", json={**body, "count": PERIODS}
            )
            assert r.status_code == 201, r.text
        schedule = r.json()["id"]

        async def runs(target: ServerProcess) -> list[dict[str, Any]]:
            async with api(target, bearer) as http:
                got = await http.get(f"/api/recurring/{schedule}/invoices")
            items: list[dict[str, Any]] = got.json()["items"]
            return items

        async def under_way() -> bool:
            return len(await runs(server)) >= 2

        await wait_for(under_way, timeout=60, what="the catch-up under way")
        assert await server.stop(signal.SIGKILL) == -signal.SIGKILL
        left = [o for o in await _runs_on_disk(tmp_path) if o != "draft"]
        assert len(left) + PERIODS - len(await _runs_on_disk(tmp_path)) > 0  # work was left

        again = ServerProcess(tmp_path, **env)
        await again.start()
        try:

            async def all_made() -> bool:
                found = await runs(again)
                return len(found) == PERIODS and all(r["outcome"] == "draft" for r in found)

            await wait_for(all_made, timeout=90, what="every period's draft")
            found = await runs(again)
            periods = [r["period_start"] for r in found]
            assert len(set(periods)) == PERIODS
            drafts = [r["invoice_id"] for r in found]
            assert len(set(drafts)) == PERIODS
            async with api(again, bearer) as http:
                listed = (await http.get("/api/invoices")).json()
                ours = {item["id"] for item in listed["items"]} - {template}
                assert ours == set(drafts)  # no draft without its period, none twice
                for run in found:
                    invoice = (await http.get(f"/api/invoices/{run['invoice_id']}")).json()
                    assert len(invoice["lines"]) == 1, run  # its content was written once
                    notes = str(invoice["invoice"].get("notes"))
                    assert run["period_start"] in notes, notes
        finally:
            await again.stop()


async def _runs_on_disk(data_dir: Path) -> list[Any]:
    engine = create_engine(db_url(data_dir))
    try:
        async with engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT outcome FROM recurring_runs")
            return [row[0] for row in rows]
    finally:
        await engine.dispose()
