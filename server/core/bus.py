"""Messages between the processes that share one database, over Redis pub/sub.

Pub/sub is at-most-once: a message published while a subscriber is disconnected, or dropped
here because Redis is down, is simply lost. Everything sent on the bus is therefore a hint that
a later, idempotent exchange can repair: documents reconcile by state vector (collab/sync/
cluster.py), presence is re-sent, revocations are also in the database. Measured against Redis
Streams in docs/architecture.md ("Several processes").

Every message carries the id of the process that sent it; a process never handles its own.
Each process says hello on the shared channel every second: one silent for `gone_after`
seconds (or that said goodbye) is gone, and listeners remove what it held (its users'
presence, its locks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], None]  # (the sending process's id, the payload)

_ORIGIN_BYTES = 12  # a process id: 12 hex characters
_HELLO = b"hello"
_BYE = b"bye"
_PRESENCE_CHANNEL = "processes"
_CLOSE_SECONDS = 2.0  # each step of closing, at most


class Bus:
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "cofacture",
        heartbeat_seconds: float = 1.0,
        gone_after_seconds: float = 5.0,
        max_queued_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.process_id = os.urandom(_ORIGIN_BYTES // 2).hex()
        self._origin = self.process_id.encode()
        self._url = url
        self._prefix = prefix
        self._heartbeat = heartbeat_seconds
        self._gone_after = gone_after_seconds
        self._max_queued = max_queued_bytes
        self.client: Redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._handlers: dict[str, Handler] = {}
        self._ready: dict[str, list[Callable[[], None]]] = {}  # awaiting Redis's confirmation
        self._unconfirmed: set[str] = set()  # of the first subscriptions after a connection
        self._delay = 0.1  # before the next connection attempt
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._queued_bytes = 0
        self._wake = asyncio.Event()
        self._resubscribe = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pubsub: PubSub | None = None
        self._peers: dict[str, float] = {}  # other processes: id -> last heard from (monotonic)
        self._problem: str | None = "connecting to Redis"  # the subscriber's connection
        self._publish_problem: str | None = None  # the last publish failed, and why
        self._connected_once = False
        self._closing = False
        self.published = 0
        self.received = 0
        self.dropped = 0  # messages not sent (Redis down, queue full): reconciliation repairs
        # After every (re)connection once subscribed, and when publishing works again after a
        # failure: repair what was missed (by us, or by the others from us) meanwhile.
        self.on_connected: list[Callable[[], None]] = []
        # A process that stopped saying hello (or said goodbye): remove what it held.
        self.on_process_gone: list[Callable[[str], None]] = []
        # A process heard for the first time (or again after it was gone).
        self.on_process_seen: list[Callable[[str], None]] = []
        self.subscribe(_PRESENCE_CHANNEL, self._on_presence)

    # -- the API features use ---------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """Why messages cannot reach the other processes now, or None."""
        return self._problem or self._publish_problem

    @property
    def processes(self) -> list[str]:
        """The other processes heard from recently."""
        return sorted(self._peers)

    def publish(self, channel: str, payload: bytes) -> None:
        """Queue `payload` for every other process subscribed to `channel`; never blocks. Dropped
        (and counted) while Redis is down or the queue holds `max_queued_bytes`."""
        size = len(payload) + len(channel)
        if self._problem is not None and self._pubsub is None:
            self.dropped += 1
            return
        if self._queued_bytes + size > self._max_queued:
            self.dropped += 1
            return
        self._outbox.append((self._channel(channel), self._origin + payload))
        self._queued_bytes += size
        self._wake.set()

    def subscribe(
        self, channel: str, handler: Handler, ready: Callable[[], None] | None = None
    ) -> None:
        """Call `handler` with each message other processes publish on `channel`, and `ready`
        once Redis confirms the subscription (what is published before is not heard). One
        handler per channel: each feature names its own."""
        name = self._channel(channel)
        self._handlers[name] = handler
        if ready is not None:
            self._ready.setdefault(name, []).append(ready)
        self._resubscribe.set()

    def unsubscribe(self, channel: str) -> None:
        self._handlers.pop(self._channel(channel), None)
        self._resubscribe.set()

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Bus:
        self._tasks = [
            asyncio.create_task(self._read(), name="bus-read"),
            asyncio.create_task(self._write(), name="bus-write"),
            asyncio.create_task(self._hello(), name="bus-hello"),
        ]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        # Every step bounded: a stop must never hang on Redis. (A cancellation arriving while
        # redis-py reads can come out as its own TimeoutError, which the reader takes for an
        # outage and loops on: `_closing` ends the loops whatever the cancellation became.)
        self._closing = True
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self.client.publish(self._channel(_PRESENCE_CHANNEL), self._origin + _BYE)
        for task in self._tasks:
            task.cancel()
        _, stuck = await asyncio.wait(self._tasks, timeout=_CLOSE_SECONDS)
        if stuck:
            log.error("the bus did not stop within %s s; leaving it", _CLOSE_SECONDS)
        if self._pubsub is not None:
            await _bounded(self._pubsub.aclose())  # type: ignore[no-untyped-call]
        await _bounded(self.client.aclose())

    # -- internals ------------------------------------------------------------------------

    def _channel(self, name: str) -> str:
        return f"{self._prefix}:{name}"

    def _set_problem(self, problem: str | None) -> None:
        if problem == self._problem:
            return
        if problem is None and self._connected_once:
            log.warning(
                "Redis reachable again (%s): reconciling with the other processes",
                self._url_for_log(),
            )
        elif problem is None:
            log.info("connected to Redis (%s) as process %s", self._url_for_log(), self.process_id)
        else:
            log.error(
                "REDIS UNREACHABLE (%s): %s; serving this process's clients alone",
                self._url_for_log(),
                problem,
            )
        self._problem = problem
        self._connected_once = self._connected_once or problem is None

    def _url_for_log(self) -> str:
        return self._url.split("@")[-1]

    async def _read(self) -> None:
        while not self._closing:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, TimeoutError) as exc:
                self._set_problem(f"{type(exc).__name__}: {exc}"[:200])
            except Exception:
                log.exception("the bus reader failed; restarting it")
                self._set_problem("bus reader failed")
            if self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()  # type: ignore[no-untyped-call]
                self._pubsub = None
            self._outbox.clear()  # stale while we were away: reconciliation replaces it
            self._queued_bytes = 0
            await asyncio.sleep(self._delay)
            self._delay = min(self._delay * 2, 2.0)

    async def _listen(self) -> None:
        pubsub = self.client.pubsub()
        self._pubsub = pubsub
        subscribed: set[str] = set()
        while not self._closing:
            if self._resubscribe.is_set() or not subscribed:
                self._resubscribe.clear()
                wanted = set(self._handlers)
                if not subscribed:
                    self._unconfirmed = set(wanted)
                if wanted - subscribed:
                    await pubsub.subscribe(*(wanted - subscribed))
                if subscribed - wanted:
                    await pubsub.unsubscribe(*(subscribed - wanted))
                    for channel in subscribed - wanted:  # no confirmation will come for it
                        self._confirmed(channel)
                subscribed = wanted
            message = await pubsub.get_message(timeout=0.05)
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        if message.get("type") == "subscribe":
            self._confirmed(channel)
            return
        if message.get("type") != "message":
            return
        data: bytes = message["data"]
        origin = data[:_ORIGIN_BYTES]
        if origin == self._origin or len(data) < _ORIGIN_BYTES:
            return  # our own message, echoed by Redis
        if data[_ORIGIN_BYTES:] != _BYE or channel != self._channel(_PRESENCE_CHANNEL):
            # Any message is a sign of life, not only a hello: a process we know only from its
            # edits or locks (it died before its first hello after we subscribed) must still
            # be declared gone when it falls silent, or what it held stays until its leases end.
            self._heard(origin.decode())
        handler = self._handlers.get(channel)
        if handler is None:
            return
        self.received += 1
        try:
            handler(origin.decode(), data[_ORIGIN_BYTES:])
        except Exception:
            log.exception("handling a bus message on %s failed", channel)

    def _confirmed(self, channel: str) -> None:
        """Redis now sends us `channel`: what waited for it may publish."""
        self._call(self._ready.pop(channel, []))
        if self._unconfirmed:
            self._unconfirmed.discard(channel)
            if not self._unconfirmed:  # every channel of a new connection: we are back
                self._delay = 0.1
                self._set_problem(None)
                self._call(self.on_connected)

    async def _write(self) -> None:
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            batch = list(self._outbox)
            self._outbox.clear()
            self._queued_bytes = 0
            if not batch:
                continue
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
                self.published += len(batch)
                if self._publish_problem is not None:
                    # What we published meanwhile was lost: repair as after a reconnection.
                    self._publish_problem = None
                    log.warning("publishing to Redis works again: reconciling")
                    self._call(self.on_connected)
            except Exception as exc:  # whatever it is, the writer must go on
                self.dropped += len(batch)
                if self._publish_problem is None:
                    log.error("publishing to Redis failed: %r (%d dropped)", exc, len(batch))
                self._publish_problem = f"publishing failed: {type(exc).__name__}: {exc}"[:200]

    async def _hello(self) -> None:
        while not self._closing:
            if self._pubsub is not None:
                self.publish(_PRESENCE_CHANNEL, _HELLO)
            self._sweep(time.monotonic())
            await asyncio.sleep(self._heartbeat)

    def _sweep(self, now: float) -> None:
        """Declare gone every process silent for longer than `gone_after` at `now`."""
        for process, seen in list(self._peers.items()):
            if now - seen > self._gone_after:
                self._gone(process)

    def _on_presence(self, origin: str, payload: bytes) -> None:
        if payload == _BYE and origin in self._peers:
            self._gone(origin)
        # A hello was counted as a sign of life by `_dispatch`, like any message.

    def _heard(self, origin: str) -> None:
        first = origin not in self._peers
        self._peers[origin] = time.monotonic()
        if first:
            log.info("process %s joined", origin)
            self._call([partial(listener, origin) for listener in self.on_process_seen])

    def _gone(self, process: str) -> None:
        del self._peers[process]
        log.warning("process %s is gone: removing its presence and locks", process)
        self._call([partial(listener, process) for listener in self.on_process_gone])

    @staticmethod
    def _call(listeners: list[Callable[[], None]]) -> None:
        for listener in listeners:
            try:
                listener()
            except Exception:
                log.exception("a bus listener failed")


async def _bounded(closing: Awaitable[object]) -> None:
    with contextlib.suppress(Exception):
        async with asyncio.timeout(_CLOSE_SECONDS):
            await closing
