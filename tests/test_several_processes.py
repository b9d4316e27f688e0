"""Several server processes on one PostgreSQL database (issue 15): what the database arbitrates
holds across processes. Invoices issued at once through two processes take gapless, distinct
numbers; of two processes asked to issue the same invoice at once, exactly one does.

(Without Redis: what the database arbitrates needs nothing else. The live parts across
processes, with Redis: test_processes_*.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.processes import Processes, several_processes
from tests.test_organization_profile import PROFILE
from tests.test_workflow_api import _valid_update


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Processes]:
    async with several_processes(tmp_path, 2) as processes:
        yield processes


async def _move(
    processes: Processes, server: int, who: str, invoice_id: str, action: str
) -> httpx.Response:
    async with processes.api(server, who) as http:
        return await http.post(f"/api/invoices/{invoice_id}/transitions", json={"action": action})


async def _approved(cluster: Processes, count: int) -> list[str]:
    async with cluster.api(0, "adam") as http:
        r = await http.put(f"/api/orgs/{cluster.org_id}/profile", json=PROFILE)
        assert r.status_code == 200, r.text
    ids = [await cluster.new_invoice(_valid_update()) for _ in range(count)]
    for n, invoice_id in enumerate(ids):
        assert (await _move(cluster, n % 2, "alice", invoice_id, "submit")).status_code == 200
        assert (await _move(cluster, (n + 1) % 2, "abe", invoice_id, "approve")).status_code == 200
    return ids


async def test_invoices_issued_at_once_through_two_processes_take_gapless_numbers(
    cluster: Processes,
) -> None:
    ids = await _approved(cluster, 16)
    answers = await asyncio.gather(
        *(_move(cluster, n % 2, "abe", invoice_id, "issue") for n, invoice_id in enumerate(ids))
    )
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    numbers = sorted(r.json()["number"] for r in answers)
    assert numbers == [f"F2026-{n:06d}" for n in range(1, 17)]


async def test_two_processes_issuing_the_same_invoice_issue_it_once(cluster: Processes) -> None:
    ids = await _approved(cluster, 3)
    for invoice_id in ids:
        answers = await asyncio.gather(
            *(_move(cluster, n, "abe", invoice_id, "issue") for n in (0, 1))
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 409], [r.text for r in answers]
        refused = next(r for r in answers if r.status_code == 409)
        assert refused.json()["code"] == "wrong_state", refused.text
    # Each invoice took one number: the three are consecutive from the first.
    numbers = []
    for invoice_id in ids:
        async with cluster.api(1, "abe") as http:
            r = await http.get(f"/api/invoices/{invoice_id}")
        numbers.append(r.json()["number"])
    assert sorted(numbers) == ["F2026-000001", "F2026-000002", "F2026-000003"]
