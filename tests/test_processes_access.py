"""Access changes and sign-in throttling across processes (issue 15): a sign-out or a role change
made through one process reaches the sockets open on another, through the test's own Redis,
and is caught up after a Redis outage; failed sign-ins counted through one process lock the
account out on the other (the database carries that, not Redis).

The wire format of the bus's "access" channel and LiveAccess's use of it are tested first,
without processes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from collab.sync import RoomRegistry
from server.auth import live_wire as wire
from server.auth import sessions as auth_sessions
from server.auth.live import LiveAccess
from server.auth.permissions import Role
from server.core.bus import Bus
from server.core.db import create_engine, sessions
from tests.access_helpers import api, edit, token, wait_closed, wait_denied, wait_field
from tests.databases import acme_member, migrated_database
from tests.harness import wait_for
from tests.processes import Processes, heard_processes, several_processes

# -- the wire format ------------------------------------------------------------------------


def test_changes_round_trip_as_compact_json() -> None:
    ended = wire.SessionsEnded(frozenset({"s2", "s1"}), "signed out")
    assert wire.encode(ended) == b'{"kind":"sessions","ids":["s1","s2"],"reason":"signed out"}'
    for change in (
        ended,
        wire.MembershipChanged("u1", "o1", Role.VIEWER),
        wire.MembershipChanged("u1", "o1", None),
    ):
        assert wire.decode(wire.encode(change)) == change
    removed = json.loads(wire.encode(wire.MembershipChanged("u1", "o1", None)))
    assert removed == {"kind": "membership", "user_id": "u1", "org_id": "o1", "role": None}


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe\x00",
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,
        b"[]",
        b'"sessions"',
        b"{}",
        b'{"kind":"other"}',
        b'{"kind":"sessions","reason":"x"}',
        b'{"kind":"sessions","ids":"s1","reason":"x"}',
        b'{"kind":"sessions","ids":[1],"reason":"x"}',
        b'{"kind":"sessions","ids":[""],"reason":"x"}',
        b'{"kind":"sessions","ids":[["s1"]],"reason":"x"}',
        b'{"kind":"sessions","ids":["s1"]}',
        b'{"kind":"sessions","ids":["s1"],"reason":{"a":1}}',
        b'{"kind":"sessions","ids":["%s"],"reason":"x"}' % (b"s" * 201),
        b'{"kind":"sessions","ids":[%s],"reason":"x"}' % b",".join([b'"s"'] * 10_001),
        b'{"kind":"membership","user_id":"u","org_id":"o","role":"owner"}',
        b'{"kind":"membership","user_id":"u","org_id":"o","role":["editor"]}',
        b'{"kind":"membership","user_id":"u","org_id":"o","role":7}',
        b'{"kind":"membership","user_id":"u","role":"editor"}',
        b'{"kind":"membership","user_id":"","org_id":"o","role":"editor"}',
        b'{"kind":"membership","user_id":null,"org_id":"o","role":null}',
    ],
)
def test_anything_malformed_is_refused_whole(payload: bytes) -> None:
    with pytest.raises(wire.BadMessage):
        wire.decode(payload)


# -- LiveAccess on a bus, without processes ---------------------------------------------------


class FakeBus:
    """What LiveAccess uses of `Bus`, recording what it publishes."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []
        self.handlers: dict[str, Callable[[str, bytes], None]] = {}
        self.on_connected: list[Callable[[], None]] = []

    def publish(self, channel: str, payload: bytes) -> None:
        self.published.append((channel, payload))

    def subscribe(self, channel: str, handler: Callable[[str, bytes], None]) -> None:
        self.handlers[channel] = handler


class NoRooms:
    rooms: list[Any] = []


async def _no_states(org_id: str, invoice_ids: list[str]) -> list[tuple[str, str]]:
    return []


def _live(bus: FakeBus) -> LiveAccess:
    registry = cast(RoomRegistry, NoRooms())
    return LiveAccess(registry, _no_states, remember_seconds=60, bus=cast(Bus, bus))


async def test_a_change_made_here_is_published_once() -> None:
    bus = FakeBus()
    live = _live(bus)
    live.end_sessions(["s1"], "signed out")
    live.end_sessions([], "nothing to say")
    await live.apply_membership(user_id="u1", org_id="o1", role=Role.VIEWER)
    assert [wire.decode(payload) for _, payload in bus.published] == [
        wire.SessionsEnded(frozenset({"s1"}), "signed out"),
        wire.MembershipChanged("u1", "o1", Role.VIEWER),
    ]
    assert {channel for channel, _ in bus.published} == {wire.CHANNEL}


async def test_a_change_heard_is_applied_here_and_not_published_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = FakeBus()
    live = _live(bus)
    heard = bus.handlers[wire.CHANNEL]
    # A socket being opened here meanwhile sees both: it is refused before joining.
    heard("0123456789ab", wire.encode(wire.SessionsEnded(frozenset({"s1"}), "signed out")))
    assert live.revoked("s1") and not live.revoked("s2")
    before = live.generation("u1")
    heard("0123456789ab", wire.encode(wire.MembershipChanged("u1", "o1", None)))
    assert live.generation("u1") == before + 1
    with caplog.at_level(logging.WARNING, logger="server.auth.live"):
        heard("0123456789ab", b'{"kind":"sessions","ids":"everyone"}')  # never raises
    assert "ignored an access message" in caplog.text
    assert bus.published == []


async def test_a_reconnection_closes_and_tells_again_what_was_revoked_meanwhile(
    tmp_path: Path,
) -> None:
    async with migrated_database("sqlite", tmp_path) as url:
        engine = create_engine(url)
        db_sessions = sessions(engine)
        async with db_sessions.begin() as db:
            _, user = await acme_member(db)
            kept = (await auth_sessions.start(db, user_id=user.id, ip=None, ttl=60)).session.id
            gone = (await auth_sessions.start(db, user_id=user.id, ip=None, ttl=60)).session.id
        bus = FakeBus()
        registry = cast(RoomRegistry, NoRooms())
        live = LiveAccess(
            registry, _no_states, remember_seconds=60, bus=cast(Bus, bus), db_sessions=db_sessions
        )
        async with db_sessions.begin() as db:
            await auth_sessions.revoke(db, gone)  # its message lost: Redis was away
        for reconnected in bus.on_connected:
            reconnected()

        async def rechecked() -> bool:
            return bool(bus.published)

        await wait_for(rechecked, timeout=5, what="the re-check after the reconnection")
        assert live.revoked(gone) and not live.revoked(kept)
        assert [wire.decode(payload) for _, payload in bus.published] == [
            wire.SessionsEnded(frozenset({gone}), "session revoked")
        ]
        await engine.dispose()


# -- two processes ----------------------------------------------------------------------------


def _board_url(procs: Processes, server: int, bearer: str) -> str:
    return f"ws://127.0.0.1:{procs.servers[server].port}/ws/board/{procs.org_id}?token={bearer}"


async def _refused(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    return refused.value.response.status_code


async def _edits_refused(ws: ClientConnection, since: float, within: float) -> None:
    """Edits from `ws` are refused as read-only within `within` seconds of `since` (the change
    travels to the socket's process first: edits sent before it lands are still accepted)."""
    attempt = 0

    async def refused() -> bool:
        nonlocal attempt
        attempt += 1
        await edit(ws, "payment_terms", f"demoted {attempt}")
        return "read-only" in await wait_denied(ws, timeout=0.3)

    await wait_for(refused, timeout=within, what="the edits to be refused")
    assert time.monotonic() - since < within


async def test_a_sign_out_on_one_process_closes_the_sockets_open_on_another(
    tmp_path: Path,
) -> None:
    async with heard_processes(tmp_path) as (_redis, procs):
        invoice_id = await procs.new_invoice()
        alice = procs.bearers["alice"]
        other = await token(procs.servers[0], procs.accounts["alice"])  # her second session
        async with (
            connect(procs.ws_url(1, invoice_id, "alice")) as ws,
            connect(_board_url(procs, 1, alice)) as board,
            connect(f"{procs.servers[1].ws}/{invoice_id}?token={other}") as kept,
        ):
            await edit(ws, "payment_terms", "before")  # joined: the room holds her socket
            assert await board.recv()  # the snapshot: subscribed
            async with procs.api(0, "alice") as http:
                assert (await http.post("/api/auth/logout")).status_code == 204
            assert await wait_closed(ws, timeout=2.0) == 1008
            assert await wait_closed(board, timeout=2.0) == 1008
            # Her other session, on the same process, is untouched.
            await edit(kept, "payment_terms", "still here")
            await wait_field(procs.servers[1], other, invoice_id, "payment_terms", "still here")
        assert await _refused(procs.ws_url(1, invoice_id, "alice")) == 401


async def test_a_sign_out_lost_while_redis_is_down_closes_the_socket_when_it_is_back(
    tmp_path: Path,
) -> None:
    async with heard_processes(tmp_path) as (redis, procs):
        invoice_id = await procs.new_invoice()
        async with connect(procs.ws_url(1, invoice_id, "alice")) as ws:
            await edit(ws, "payment_terms", "before")
            await redis.stop()

            await procs.cut_off(1)
            async with procs.api(0, "alice") as http:
                assert (await http.post("/api/auth/logout")).status_code == 204
            # The message is lost; the database still refuses the session everywhere.
            assert await _refused(procs.ws_url(1, invoice_id, "alice")) == 401
            await redis.start()
            assert await wait_closed(ws, timeout=15.0) == 1008


async def test_role_changes_lost_while_redis_is_down_apply_when_it_is_back(
    tmp_path: Path,
) -> None:
    async with heard_processes(tmp_path) as (redis, procs):
        invoice_id = await procs.new_invoice()
        member = f"/api/orgs/{procs.org_id}/members/"
        async with (
            procs.api(0, "adam") as http,
            connect(procs.ws_url(1, invoice_id, "bob")) as demoted,
            connect(procs.ws_url(1, invoice_id, "alice")) as removed,
        ):
            await edit(demoted, "payment_terms", "editor")
            await edit(removed, "buyer_reference", "editor")
            await redis.stop()

            await procs.cut_off(1)
            bob, alice = procs.accounts["bob"].user_id, procs.accounts["alice"].user_id
            patched = await http.patch(member + bob, json={"role": "viewer"})
            assert patched.status_code == 200
            assert (await http.delete(member + alice)).status_code == 204
            # Both messages are lost: process 1's sockets keep their rights until Redis is back.
            await redis.start()
            await _edits_refused(demoted, time.monotonic(), within=15.0)
            assert await wait_closed(removed, timeout=15.0) == 1008


async def test_a_role_change_on_one_process_reaches_the_socket_open_on_another(
    tmp_path: Path,
) -> None:
    async with heard_processes(tmp_path) as (_redis, procs):
        invoice_id = await procs.new_invoice()
        bob = procs.accounts["bob"]
        member = f"/api/orgs/{procs.org_id}/members/{bob.user_id}"
        async with (
            procs.api(0, "adam") as http,
            connect(procs.ws_url(1, invoice_id, "bob")) as ws,
            connect(_board_url(procs, 1, procs.bearers["bob"])) as board,
        ):
            assert await board.recv()
            await edit(ws, "payment_terms", "editor")
            await wait_field(
                procs.servers[1], procs.bearers["bob"], invoice_id, "payment_terms", "editor"
            )

            assert (await http.patch(member, json={"role": "viewer"})).status_code == 200
            await _edits_refused(ws, time.monotonic(), within=2.0)

            assert (await http.delete(member)).status_code == 204
            assert await wait_closed(ws, timeout=2.0) == 1008
            assert await wait_closed(board, timeout=2.0) == 1008
        assert await _refused(procs.ws_url(1, invoice_id, "bob")) == 404


# Sign-in throttling, quickly: two free failures, the third locks the account for 2 s. The
# address may fail ten times as often, so only the account's count is at play here.
FAST_THROTTLE = {
    "AUTH_FREE_FAILURES": "2",
    "AUTH_LOCKOUT_FAILURES": "3",
    "AUTH_LOCKOUT_SECONDS": "2",
    "AUTH_IP_FACTOR": "10",
}


async def _login(procs: Processes, server: int, password: str) -> httpx.Response:
    alice = procs.accounts["alice"]
    async with api(procs.servers[server]) as http:
        body = {"email": alice.email, "password": password}
        return await http.post("/api/auth/login", json=body)


async def test_failures_through_one_process_lock_the_account_out_on_another(
    tmp_path: Path,
) -> None:
    # No Redis: the database alone carries the counts, as every process shares it.
    async with several_processes(tmp_path, 2, redis=None, **FAST_THROTTLE) as procs:
        right = procs.accounts["alice"].password
        for _ in range(3):
            assert (await _login(procs, 0, "wrong")).status_code == 401
        locked_at = time.monotonic()
        blocked = await _login(procs, 1, right)  # even the right password, elsewhere
        assert blocked.status_code == 429, blocked.text
        assert 1 <= int(blocked.headers["retry-after"]) <= 2
        assert "too many failed attempts" in blocked.json()["error"]
        assert (await _login(procs, 0, right)).status_code == 429

        async def released() -> bool:
            return (await _login(procs, 1, right)).status_code == 200

        await wait_for(released, timeout=5, what="the lockout to end")
        assert time.monotonic() - locked_at >= 1.5  # it lasted (2 s, minus the requests' time)

        # The success cleared the count; failures spread over both processes add up.
        for server in (0, 1, 0):
            assert (await _login(procs, server, "wrong")).status_code == 401
        assert (await _login(procs, 1, right)).status_code == 429
