"""Webhook delivery through the job queue, in this process with an injected clock, to a real
HTTP receiver: the Standard Webhooks retry schedule, success ending the retries, 410 Gone and
failing endpoints switched off with the admins told, the address rule checked at delivery."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from server.audit.models import AuditEvent
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.events import service as events
from server.jobs import service as jobs
from server.jobs.models import Job
from server.mail.models import MailMessage
from server.webhooks import delivery, urls
from server.webhooks import service as webhooks
from server.webhooks.models import Attempt, Endpoint, Notice
from tests.harness import Account, db_url, seed
from tests.webhook_receiver import Receiver, receiver

PEOPLE = {"alice": Role.EDITOR, "adam": Role.ADMIN, "ada": Role.ADMIN}
# After anything queued at the real time of the test: the worker's clock starts there.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


@dataclass
class World:
    engine: AsyncEngine
    worker: jobs.Worker
    hook: Receiver
    people: dict[str, Account]
    endpoint_id: str
    secret: str

    @property
    def org_id(self) -> str:
        return self.people["adam"].org_id

    async def emit(self, n: int = 1) -> list[str]:
        ids = []
        async with sessions(self.engine).begin() as db:
            for i in range(n):
                ids.append(
                    await events.emit(
                        db,
                        org_id=self.org_id,
                        type=events.EventType.INVOICE_CREATED,
                        data={"invoice_id": f"invoice-{i}"},
                    )
                )
        return ids

    async def run(self, at: datetime) -> int:
        """Everything due at `at`, as the worker would run it then."""
        ran = 0
        while count := await self.worker.run_once(at):
            ran += count
        return ran

    async def attempts(self) -> list[Attempt]:
        async with sessions(self.engine)() as db:
            return list(await db.scalars(select(Attempt).order_by(Attempt.at, Attempt.attempt)))

    async def endpoint(self) -> Endpoint:
        async with sessions(self.engine)() as db:
            found: Endpoint | None = await db.get(Endpoint, self.endpoint_id)
            assert found is not None
            return found


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    people = await seed(tmp_path, users=PEOPLE)
    engine = create_engine(db_url(tmp_path))
    delivery.configure(allow_private=True, secret_key="k" * 40)  # the receiver: on 127.0.0.1
    events.subscribe("webhooks", webhooks.on_event)
    jobs.register(events.DISPATCH, events.dispatch)
    jobs.register(webhooks.DELIVER, webhooks.deliver)
    try:
        async with receiver() as hook:
            async with sessions(engine).begin() as db:
                made, secret = await webhooks.create(
                    db,
                    org_id=people["adam"].org_id,
                    user_id=people["adam"].user_id,
                    url=hook.url,
                    selected=["invoice.created"],
                    description="",
                    ip=None,
                )
                endpoint_id = made.id
                assert secret not in made.secret  # sealed at rest
            yield World(engine, jobs.Worker(sessions(engine)), hook, people, endpoint_id, secret)
    finally:
        events.subscribe("webhooks", None)
        for kind in (events.DISPATCH, webhooks.DELIVER):
            jobs.register(kind, None)
        delivery.configure(allow_private=False, secret_key="k" * 40)
        await engine.dispose()


async def test_failures_follow_the_schedule_and_a_success_ends_them(world: World) -> None:
    world.hook.answers = [500, 503, 502]  # then 200
    [event_id] = await world.emit()
    await world.run(T0)  # the dispatch, then attempt 1
    # The specification's schedule: 5 s, then 5 min, then 30 min after each failure.
    for due in (T0 + timedelta(seconds=5), T0 + timedelta(seconds=305)):
        assert await world.run(due - timedelta(seconds=1)) == 0  # not before its time
        assert await world.run(due) == 1
    assert await world.run(T0 + timedelta(seconds=2104)) == 0
    assert await world.run(T0 + timedelta(seconds=2105)) == 1  # attempt 4: 200
    assert await world.run(T0 + timedelta(days=3)) == 0  # nothing more, ever

    # Four requests, one webhook-id, each accepted by the reference implementation.
    assert [r.id for r in world.hook.received] == [event_id] * 4
    for request in world.hook.received:
        payload = request.verified(world.secret)
        assert payload == {
            "type": "invoice.created",
            "timestamp": payload["timestamp"],  # type: ignore[index]
            "data": {"invoice_id": "invoice-0"},
        }
    bodies = {r.body for r in world.hook.received}
    assert len(bodies) == 1  # the same payload on every retry
    log = await world.attempts()
    assert [(a.attempt, a.status_code, a.outcome) for a in log] == [
        (1, 500, "retrying"),
        (2, 503, "retrying"),
        (3, 502, "retrying"),
        (4, 200, "succeeded"),
    ]
    assert [a.next_at for a in log] == [
        T0 + timedelta(seconds=5),
        T0 + timedelta(seconds=305),
        T0 + timedelta(seconds=2105),
        None,
    ]
    assert log[0].response == "answer 500" and log[0].error == "answered 500"
    endpoint = await world.endpoint()
    assert endpoint.enabled and endpoint.failing_since is None


async def test_410_gone_disables_the_endpoint_and_tells_the_admins(world: World) -> None:
    world.hook.answers = [410]
    await world.emit(2)
    await world.run(T0)
    endpoint = await world.endpoint()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "the receiver answered 410 Gone"
    # The first event's 410 switched it off; the second was not sent.
    assert len(world.hook.received) == 1
    assert [a.outcome for a in await world.attempts()] == ["disabled"]
    assert await world.run(T0 + timedelta(days=2)) == 0
    await _admins_told(world, "the receiver answered 410 Gone")


async def test_an_endpoint_failing_for_a_day_is_disabled(world: World) -> None:
    world.hook.answers = [500] * 20
    await world.emit()
    # Attempts at 0, 5 s, 5 min 5 s, 35 min 5 s, 2 h 35 min 5 s, 7 h 35 min 5 s,
    # 17 h 35 min 5 s and 27 h 35 min 5 s: the 8th and last, past 24 hours of failures.
    offsets = [0, 5, 305, 2105, 9305, 27305, 63305, 99305]
    for offset in offsets:
        await world.run(T0 + timedelta(seconds=offset))
    log = await world.attempts()
    assert [a.at for a in log] == [T0 + timedelta(seconds=s) for s in offsets]
    assert [a.outcome for a in log] == ["retrying"] * 7 + ["failed"]
    endpoint = await world.endpoint()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "every attempt failed for 27 hours"
    await _admins_told(world, "every attempt failed for 27 hours")
    assert await world.run(T0 + timedelta(days=5)) == 0


async def test_five_events_given_up_in_a_row_disable_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "FAILING_FOR", timedelta(days=30))  # only the count counts
    monkeypatch.setattr(delivery, "SCHEDULE", (5,))  # two attempts per event
    world.hook.answers = [500] * 100
    await world.emit(6)
    await world.run(T0)
    await world.run(T0 + timedelta(seconds=5))
    endpoint = await world.endpoint()
    assert not endpoint.enabled and endpoint.exhausted == 5
    assert endpoint.disabled_reason == "5 events in a row could not be delivered"
    # The sixth event's last attempt did not go: the endpoint was off by then.
    assert len(world.hook.received) == 11


async def test_an_address_that_became_private_is_refused_at_delivery(world: World) -> None:
    delivery.configure(allow_private=False, secret_key="k" * 40)
    await world.emit()
    await world.run(T0)
    assert world.hook.received == []
    [attempt] = await world.attempts()
    assert attempt.status_code is None and attempt.outcome == "retrying"
    assert attempt.error is not None and attempt.error.startswith("refused: the webhook host")


async def test_a_delivery_goes_to_the_address_its_check_approved(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a name may answer a public address to the check and a private one to
    the connection a moment later. The name is resolved once, by the check, and the request
    goes to that address: here a name no resolver knows is delivered to, under its own name."""
    name = "hooks.rebinding.test"
    asked: list[str] = []

    async def resolve(host: str) -> list[str]:  # the attacker's DNS, first answer
        asked.append(host)
        return ["127.0.0.1"]  # the receiver, counted as public for this test

    monkeypatch.setattr(urls, "_resolve", resolve)
    monkeypatch.setattr(urls, "_forbidden", lambda address: False)
    async with sessions(world.engine).begin() as db:
        endpoint = await db.get(Endpoint, world.endpoint_id)
        assert endpoint is not None
        endpoint.url = world.hook.url.replace("127.0.0.1", name)
    delivery.configure(allow_private=False, secret_key="k" * 40)
    await world.emit()
    await world.run(T0)
    assert asked == [name]
    [received] = world.hook.received
    assert received.headers["host"] == f"{name}:{world.hook.port}"
    received.verified(world.secret)
    [attempt] = await world.attempts()
    assert attempt.outcome == "succeeded", attempt.error


async def _admins_told(world: World, reason: str) -> None:
    async with sessions(world.engine)() as db:
        notices = list(await db.scalars(select(Notice)))
        mails = list(await db.scalars(select(MailMessage)))
        audited = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.event == "org.webhook_disabled"))
        )
        jobs_left = await db.scalars(
            select(Job.status).where(Job.kind == webhooks.DELIVER, Job.status == "queued")
        )
        assert list(jobs_left) == []
    admins = {world.people["adam"].user_id, world.people["ada"].user_id}
    assert {n.user_id for n in notices} == admins  # not alice, an editor
    assert all(reason in n.text for n in notices)
    assert sorted(json.loads(m.recipients)[0] for m in mails) == ["ada@acme.test", "adam@acme.test"]
    assert all(m.status == "outbox" and reason in m.body for m in mails)
    assert [a.actor_id for a in audited] == [None]
