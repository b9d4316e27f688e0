"""One exception tree for the collaboration layer.

Each error carries the WebSocket close code that ends the offending connection; only `server/`
turns these into HTTP statuses or transport calls. One peer's error never closes another peer.
"""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    """WebSocket close codes sent by Cofacture (documented in docs/protocol.md)."""

    NORMAL = 1000
    GOING_AWAY = 1001  # server shutting down: reconnect elsewhere or later
    PROTOCOL_ERROR = 1002  # a frame that is not a y-websocket message
    INVALID_DATA = 1007  # a well-formed message whose Yjs update cannot be applied
    POLICY_VIOLATION = 1008  # access revoked while connected (session revoked, role removed)
    MESSAGE_TOO_BIG = 1009  # frame above the configured maximum
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013  # send queue overflowed: the client is too slow, it resyncs on reconnect
    IDLE_TIMEOUT = 4000  # nothing received for the idle timeout
    RESYNC_REQUIRED = 4001  # an update damaged the document's structure: start from a fresh copy


class CollabError(Exception):
    """Base of every error raised by `collab`."""

    close_code: CloseCode = CloseCode.INTERNAL_ERROR


class ProtocolError(CollabError):
    """A frame that does not decode as a y-websocket message."""

    close_code = CloseCode.PROTOCOL_ERROR


class InvalidUpdate(CollabError):
    """A Yjs update that the document refuses to apply."""

    close_code = CloseCode.INVALID_DATA


class ResyncRequired(CollabError):
    """The peer's copy holds content the server refused and cannot undo for it."""

    close_code = CloseCode.RESYNC_REQUIRED


class FrameTooLarge(CollabError):
    close_code = CloseCode.MESSAGE_TOO_BIG


class SlowConsumer(CollabError):
    """The peer's send queue is full: it is disconnected rather than silently skipped."""

    close_code = CloseCode.TRY_AGAIN_LATER


class IdleTimeout(CollabError):
    close_code = CloseCode.IDLE_TIMEOUT


class ChannelClosed(CollabError):
    """The transport is gone (the client closed or the connection dropped)."""

    close_code = CloseCode.NORMAL


class LoadError(CollabError):
    """A stored document could not be loaded; the room is not created."""


class ShuttingDown(LoadError):
    """This process is handing its clients over before it stops: connect to another one."""


def is_crdt_failure(exc: BaseException) -> bool:
    """What pycrdt raises on bytes it cannot apply: ValueError, RuntimeError ("block parent
    must be deleted"), or a Rust panic surfaced as `pyo3_runtime.PanicException`, which derives
    from BaseException, not Exception. Cancellation, exit and interrupts are not."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
