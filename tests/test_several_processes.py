"""Several server processes on one PostgreSQL database (issue 15): what the database arbitrates
holds across processes. Invoices issued at once through two processes take gapless, distinct
numbers; of two processes asked to issue the same invoice at once, exactly one does.

(Live fan-out between processes, through Redis, is not built yet: each test here talks to the
processes over HTTP only.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from collab.sync import LogEntry
from server.auth import accounts
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices import service as invoices
from server.invoices.store import SqlUpdateStore
from tests.access_helpers import api, token
from tests.databases import migrated_database
from tests.harness import Account, ServerProcess
from tests.test_organization_profile import PROFILE
from tests.test_workflow_api import _valid_update

ROLES = {"alice": Role.EDITOR, "abe": Role.APPROVER, "adam": Role.ADMIN}


@dataclass
class Cluster:
    url: str
    servers: list[ServerProcess]
    org_id: str
    alice_id: str
    bearers: dict[str, str]  # by name; a token signed by one process is valid on the others

    async def new_invoice(self) -> str:
        """A draft ready to submit, written to the database before any process loads it."""
        engine = create_engine(self.url)
        async with sessions(engine).begin() as db:
            made = await invoices.create_invoice(db, user_id=self.alice_id, org_id=self.org_id)
        entry = LogEntry(made.id, 1, _valid_update(), self.alice_id, time.time())
        await SqlUpdateStore(engine).write([entry], [])
        await engine.dispose()
        return made.id

    async def move(self, server: int, who: str, invoice_id: str, action: str) -> httpx.Response:
        async with api(self.servers[server], self.bearers[who]) as http:
            return await http.post(
                f"/api/invoices/{invoice_id}/transitions", json={"action": action}
            )


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with migrated_database("postgresql", tmp_path) as url:
        engine = create_engine(url)
        async with sessions(engine).begin() as db:
            org = await accounts.create_org(db, name="Acme")
            people = {
                name: await accounts.create_user(
                    db, org=org, email=f"{name}@acme.test", password="correct horse", role=role
                )
                for name, role in ROLES.items()
            }
        await engine.dispose()
        servers = []
        for n in range(2):
            (tmp_path / f"process-{n}").mkdir()
            servers.append(ServerProcess(tmp_path / f"process-{n}", DATABASE_URL=url))
        try:
            await asyncio.gather(*(server.start() for server in servers))
            bearers = {}
            for n, name in enumerate(ROLES):
                account = Account(f"{name}@acme.test", "correct horse", people[name].id, org.id)
                bearers[name] = await token(servers[n % 2], account)
            yield Cluster(url, servers, org.id, people["alice"].id, bearers)
        finally:
            for server in servers:
                if server.proc and server.proc.poll() is None:
                    await server.stop()


async def _approved(cluster: Cluster, count: int) -> list[str]:
    async with api(cluster.servers[0], cluster.bearers["adam"]) as http:
        r = await http.put(f"/api/orgs/{cluster.org_id}/profile", json=PROFILE)
        assert r.status_code == 200, r.text
    ids = [await cluster.new_invoice() for _ in range(count)]
    for n, invoice_id in enumerate(ids):
        assert (await cluster.move(n % 2, "alice", invoice_id, "submit")).status_code == 200
        assert (await cluster.move((n + 1) % 2, "abe", invoice_id, "approve")).status_code == 200
    return ids


async def test_invoices_issued_at_once_through_two_processes_take_gapless_numbers(
    cluster: Cluster,
) -> None:
    ids = await _approved(cluster, 16)
    answers = await asyncio.gather(
        *(cluster.move(n % 2, "abe", invoice_id, "issue") for n, invoice_id in enumerate(ids))
    )
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    numbers = sorted(r.json()["number"] for r in answers)
    assert numbers == [f"F2026-{n:06d}" for n in range(1, 17)]


async def test_two_processes_issuing_the_same_invoice_issue_it_once(cluster: Cluster) -> None:
    ids = await _approved(cluster, 3)
    for invoice_id in ids:
        answers = await asyncio.gather(
            *(cluster.move(n, "abe", invoice_id, "issue") for n in (0, 1))
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 409], [r.text for r in answers]
        refused = next(r for r in answers if r.status_code == 409)
        assert refused.json()["code"] == "wrong_state", refused.text
    # Each invoice took one number: the three are consecutive from the first.
    numbers = []
    for invoice_id in ids:
        async with api(cluster.servers[1], cluster.bearers["abe"]) as http:
            r = await http.get(f"/api/invoices/{invoice_id}")
        numbers.append(r.json()["number"])
    assert sorted(numbers) == ["F2026-000001", "F2026-000002", "F2026-000003"]
