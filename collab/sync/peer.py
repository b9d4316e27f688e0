"""One connection in one room: its identity, rights and send queue.

Sends never block the room: a frame is appended to this peer's bounded queue and a writer task
owned by the peer drains it onto the transport. A peer whose queue overflows is closed, so a slow
or dead socket costs the others nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Protocol

from collab.sync.errors import ChannelClosed, CloseCode, SlowConsumer

log = logging.getLogger(__name__)


class Channel(Protocol):
    """The transport seam: `server/` adapts a WebSocket to this, tests use memory pairs."""

    async def send(self, data: bytes) -> None: ...

    async def recv(self) -> bytes:
        """The next frame; raise ChannelClosed when the other side is gone."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is on the other end, as established by the server from the token.

    `session_id` names the token (or login session) the connection was opened with, so that the
    server can close the connections of a revoked session.
    """

    user_id: str
    name: str
    can_edit: bool
    color: str = "#6b7280"
    session_id: str = ""
    can_break_locks: bool = False

    def presence(self) -> dict[str, str]:
        """The `user` field of this connection's awareness state, whatever the client says."""
        return {"id": self.user_id, "name": self.name, "color": self.color}


class PeerState(Enum):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Peer:
    def __init__(
        self,
        channel: Channel,
        identity: Identity,
        *,
        queue_limit: int,
        queue_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.channel = channel
        self.identity = identity
        self.state = PeerState.OPEN
        self.close_code: CloseCode | None = None
        self._close_reason = ""
        self._queue: deque[bytes] = deque()
        self._queue_limit = queue_limit
        self._queue_bytes = queue_bytes
        self._queued_bytes = 0  # the sum of the sizes of the frames in the queue
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Peer:
        self._writer = asyncio.create_task(self._write_loop(), name="peer-writer")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.state = PeerState.CLOSED
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    def send(self, frame: bytes) -> None:
        """Queue a frame; never blocks and never raises into the caller (the room)."""
        if self.state is not PeerState.OPEN:
            return
        if (
            len(self._queue) >= self._queue_limit
            or self._queued_bytes + len(frame) > self._queue_bytes
        ):
            self.close(SlowConsumer.close_code, "send queue full; resync on reconnect")
            return
        self._queue.append(frame)
        self._queued_bytes += len(frame)
        self._ready.set()

    def close(self, code: CloseCode, reason: str) -> None:
        """Ask the writer to send what is queued, then close the transport."""
        if self.state is not PeerState.OPEN:
            return
        self.state = PeerState.CLOSING
        self.close_code = code
        if code is SlowConsumer.close_code:
            self._queue.clear()  # the client resyncs from scratch; stale frames are useless
            self._queued_bytes = 0
        self._close_reason = reason
        self._ready.set()

    async def wait_closed(self) -> None:
        """Return when the writer has closed the transport (after `close`, or a send failure)."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    async def _write_loop(self) -> None:
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                while self._queue:
                    frame = self._queue.popleft()
                    self._queued_bytes -= len(frame)
                    await self.channel.send(frame)
                if self.state is PeerState.CLOSING:
                    break
        except ChannelClosed:
            pass
        except Exception:
            log.exception("sending to a peer failed")
        finally:
            if self.state is PeerState.OPEN:
                self.state = PeerState.CLOSING
                self.close_code = CloseCode.NORMAL
        code = self.close_code or CloseCode.NORMAL
        try:
            await self.channel.close(code, self._close_reason)
        except Exception:
            log.debug("closing a peer's channel failed", exc_info=True)
