"""A real server SIGKILLed while it delivers webhooks to a slow receiver, restarted: every event
reaches the receiver under its own id, each id delivered once, save the one request the kill
cut off (its answer never arrived: the same id again, which the specification tells receivers
to drop); the delivery log holds one success per event. And one organization's hanging
endpoint does not hold back another organization's deliveries."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.events.models import EventRow
from server.webhooks.models import Attempt
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, db_url, new_invoice, seed, wait_for
from tests.webhook_receiver import receiver

PEOPLE = {"alice": Role.EDITOR, "adam": Role.ADMIN}
EVENTS = 8


async def test_a_killed_server_delivers_each_pending_event_after_restart(tmp_path: Path) -> None:
    env = {"WEBHOOKS_ALLOW_PRIVATE": "1", "JOB_LEASE_SECONDS": "3"}
    async with receiver() as hook:
        hook.delay = 0.4  # a slow receiver: the kill lands while one request waits for its answer
        async with server_with(tmp_path, PEOPLE, **env) as (server, made):
            org = made["adam"].org_id
            async with api(server, await token(server, made["adam"])) as http:
                r = await http.post(
                    f"/api/orgs/{org}/webhooks",
                    json={"url": hook.url, "events": ["invoice.created"]},
                )
                assert r.status_code == 201, r.text
                secret = r.json()["secret"]
            for _ in range(EVENTS):  # in this process: the server's worker finds them polling
                await new_invoice(tmp_path, made["alice"])

            async def mid_request() -> bool:
                return len(hook.received) >= 3 and hook.answering > 0

            await wait_for(mid_request, timeout=30, what="deliveries under way")
            assert await server.stop(signal.SIGKILL) == -signal.SIGKILL
            before = len(hook.received)
            assert before < EVENTS

        again = ServerProcess(tmp_path, **env)
        await again.start()
        try:

            async def all_arrived() -> bool:
                return len({r.id for r in hook.received}) >= EVENTS

            await wait_for(all_arrived, timeout=60, what="every event")

            async def settled() -> bool:  # the cut-off delivery's lease ran out and it went
                engine = create_engine(db_url(tmp_path))
                async with sessions(engine)() as db:
                    done = await db.scalar(
                        select(func.count()).where(Attempt.outcome == "succeeded")
                    )
                await engine.dispose()
                return bool(done == EVENTS)

            await wait_for(settled, timeout=30, what="one success per event")
        finally:
            await again.stop()

    engine = create_engine(db_url(tmp_path))
    async with sessions(engine)() as db:
        event_ids = set(await db.scalars(select(EventRow.id)))
        logged = Counter(
            await db.scalars(select(Attempt.event_id).where(Attempt.outcome == "succeeded"))
        )
    await engine.dispose()
    assert len(event_ids) == EVENTS
    counts = Counter(r.id for r in hook.received)
    assert set(counts) == event_ids
    # At most the request in flight at the kill came twice, with the same id and bytes.
    repeated = [i for i, n in counts.items() if n > 1]
    assert len(repeated) <= 1 and all(counts[i] == 2 for i in repeated)
    for i in repeated:
        assert len({r.body for r in hook.received if r.id == i}) == 1
    assert logged == Counter({i: 1 for i in event_ids})  # the log: one success per event
    for request in hook.received:
        request.verified(secret)


async def test_a_hanging_endpoint_holds_back_its_own_organization_only(tmp_path: Path) -> None:
    env = {"WEBHOOKS_ALLOW_PRIVATE": "1"}
    async with receiver() as hanging, receiver() as quick:
        hanging.delay = 8.0  # answers just inside the 10 s the server waits
        other = await seed(tmp_path, org="Bolt", users={"bob": Role.ADMIN})
        async with server_with(tmp_path, PEOPLE, **env) as (server, made):
            for admin, hook in ((made["adam"], hanging), (other["bob"], quick)):
                async with api(server, await token(server, admin)) as http:
                    r = await http.post(
                        f"/api/orgs/{admin.org_id}/webhooks",
                        json={"url": hook.url, "events": ["invoice.created"]},
                    )
                    assert r.status_code == 201, r.text
            await new_invoice(tmp_path, made["alice"])
            await new_invoice(tmp_path, made["alice"])  # queued behind the first, same lane

            async def hanging_held() -> bool:
                return hanging.answering == 1

            await wait_for(hanging_held, timeout=10, what="a delivery held by the endpoint")
            await new_invoice(tmp_path, other["bob"])

            async def quick_received() -> bool:
                return len(quick.received) == 1

            # Before the hanging endpoint answers: it still holds its one request.
            await wait_for(quick_received, timeout=5, what="the other organization's delivery")
            assert hanging.answering == 1 and len(hanging.received) == 1

            async def both_received() -> bool:
                return len(hanging.received) == 2

            await wait_for(both_received, timeout=30, what="the second delivery, in its turn")
