"""One connection in one room: its identity, rights and send queue.

Sends never block the room. A frame goes straight to the transport when the transport can take
it at once (`Channel.send_nowait`) and nothing is waiting before it; otherwise it is appended to
this peer's bounded queue, which a writer task owned by the peer drains. The task exists only
while there is such a backlog (or a close to perform): an idle connection costs no task, and a
frame costs no task wake-up. A peer whose queue overflows is closed, so a slow or dead socket
costs the others nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Protocol

from collab.sync.errors import ChannelClosed, CloseCode, SlowConsumer

log = logging.getLogger(__name__)


class Channel(Protocol):
    """The transport seam: `server/` adapts a WebSocket to this, tests use memory pairs.

    A channel may also offer `send_nowait(data) -> bool`: write the frame at once if the
    transport can take it without waiting, return False if it cannot (then `send` is used), and
    raise ChannelClosed (or an OSError: the transport's own) when the other side is gone. Peers
    use it when it is there and not None.
    """

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
    __slots__ = (
        "_close_reason",
        "_queue",
        "_queue_bytes",
        "_queue_limit",
        "_queued_bytes",
        "_send_now",
        "_started",
        "_writer",
        "channel",
        "close_code",
        "identity",
        "state",
    )

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
        # Frames the transport could not take at once, oldest first; None while there are none
        # (an empty deque is 760 bytes, and most connections never need one).
        self._queue: deque[bytes] | None = None
        self._queue_limit = queue_limit
        self._queue_bytes = queue_bytes
        self._queued_bytes = 0  # the sum of the sizes of the frames in the queue
        self._send_now: Callable[[bytes], bool] | None = getattr(channel, "send_nowait", None)
        self._started = False  # frames only queue until the peer is entered
        # Drains the queue, then closes the transport if asked; runs only while it has work.
        self._writer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Peer:
        self._started = True
        if self._queue or self.state is PeerState.CLOSING:
            self._start_writer()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.state = PeerState.CLOSED
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    def send(self, frame: bytes) -> None:
        """Send or queue a frame; never blocks and never raises into the caller (the room)."""
        if self.state is not PeerState.OPEN:
            return
        if self._writer is None and self._send_now is not None and self._started:
            # Nothing is waiting before this frame: straight to the transport if it can take it.
            try:
                if self._send_now(frame):
                    return
            except (ChannelClosed, OSError):
                self._lost()
                return
            except Exception:
                log.exception("sending to a peer failed")
                self._lost()
                return
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        if len(queue) >= self._queue_limit or self._queued_bytes + len(frame) > self._queue_bytes:
            self.close(SlowConsumer.close_code, "send queue full; resync on reconnect")
            return
        queue.append(frame)
        self._queued_bytes += len(frame)
        if self._writer is None and self._started:
            self._start_writer()

    def close(self, code: CloseCode, reason: str) -> None:
        """Ask the writer to send what is queued, then close the transport."""
        if self.state is not PeerState.OPEN:
            return
        self.state = PeerState.CLOSING
        self.close_code = code
        if code is SlowConsumer.close_code:
            self._drop_queue()  # the client resyncs from scratch; stale frames are useless
        self._close_reason = reason
        if self._writer is None and self._started:
            self._start_writer()

    async def wait_closed(self) -> None:
        """Return when the writer has closed the transport (after `close`, or a send failure)."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    def _lost(self) -> None:
        """The transport failed under a direct send: close it, as the writer does on failure."""
        self.state = PeerState.CLOSING
        self.close_code = CloseCode.NORMAL
        self._drop_queue()
        self._start_writer()

    def _drop_queue(self) -> None:
        if self._queue is not None:
            self._queue.clear()
        self._queued_bytes = 0

    def _start_writer(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(
            self._write_loop(), name="peer-writer"
        )

    async def _write_loop(self) -> None:
        try:
            while self._queue:
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame)
                await self.channel.send(frame)
            if self.state is PeerState.OPEN:
                # Drained: later frames go straight to the transport again, until it fills up.
                self._queue = None
                self._writer = None
                return
        except ChannelClosed:
            pass
        except Exception:
            log.exception("sending to a peer failed")
        finally:
            if self.state is PeerState.OPEN and self._writer is not None:
                self.state = PeerState.CLOSING
                self.close_code = CloseCode.NORMAL
        code = self.close_code or CloseCode.NORMAL
        try:
            await self.channel.close(code, self._close_reason)
        except Exception:
            log.debug("closing a peer's channel failed", exc_info=True)
