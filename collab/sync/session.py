"""The life of one connection in one room, from join to leave."""

from __future__ import annotations

import asyncio
import logging

from collab.sync.errors import (
    ChannelClosed,
    CloseCode,
    CollabError,
    FrameTooLarge,
    IdleTimeout,
    is_crdt_failure,
)
from collab.sync.limits import Limits
from collab.sync.peer import Channel, Identity, Peer, PeerState
from collab.sync.room import Room

log = logging.getLogger(__name__)

# How long a closing peer gets to flush its queue and close its transport.
_CLOSE_GRACE_SECONDS = 5.0


async def serve_peer(room: Room, channel: Channel, identity: Identity, limits: Limits) -> Peer:
    """Run one connection until it closes; return the peer (its `close_code` says why)."""
    async with Peer(
        channel,
        identity,
        queue_limit=limits.send_queue_frames,
        queue_bytes=limits.send_queue_bytes,
    ) as peer:
        room.join(peer)
        try:
            await _receive(room, peer, limits)
        except ChannelClosed:
            pass
        except CollabError as exc:
            log.info("closing peer %s: %s", identity.user_id, exc)
            peer.close(exc.close_code, str(exc))
        except Exception:
            log.exception("unexpected error serving peer %s", identity.user_id)
            room.recover()
            peer.close(CloseCode.INTERNAL_ERROR, "internal error")
        except BaseException as exc:
            if not is_crdt_failure(exc):
                raise  # cancellation (shutdown) and exits go on
            # A pycrdt panic (a BaseException) from this peer's input: it must not escape and
            # take the room's task with it, nor leave a corrupted shadow behind for others.
            log.warning("pycrdt panicked on input from peer %s: %r", identity.user_id, exc)
            room.recover()
            peer.close(CloseCode.INVALID_DATA, "update cannot be applied")
        finally:
            room.leave(peer)
        if peer.state is PeerState.OPEN:
            peer.close(CloseCode.NORMAL, "")
        try:
            async with asyncio.timeout(_CLOSE_GRACE_SECONDS):
                await peer.wait_closed()
        except TimeoutError:
            log.info("peer %s did not close in time", identity.user_id)
        return peer


async def _receive(room: Room, peer: Peer, limits: Limits) -> None:
    loop = asyncio.get_running_loop()
    idle = limits.idle_timeout_seconds
    last_frame = loop.time()
    timer: asyncio.TimerHandle | None = None

    def watchdog() -> None:
        # One timer per connection instead of one per frame: frames only stamp a time. A timer
        # handle, not a task: a task and its sleeping coroutine cost ~1 KB per connection.
        nonlocal timer
        deadline = last_frame + idle
        if loop.time() >= deadline:
            peer.close(IdleTimeout.close_code, "idle timeout")
        else:
            timer = loop.call_at(deadline, watchdog)

    timer = loop.call_at(last_frame + idle, watchdog)
    try:
        while peer.state is PeerState.OPEN:
            frame = await peer.channel.recv()
            last_frame = loop.time()
            if len(frame) > limits.max_frame_bytes:
                raise FrameTooLarge(f"frame of {len(frame)} bytes (limit {limits.max_frame_bytes})")
            room.receive(peer, frame)
            # Let the other peers' writers drain before the next frame: a burst of buffered
            # frames from one client must not overflow everyone else's queue in one tick.
            await asyncio.sleep(0)
    finally:
        if timer is not None:
            timer.cancel()
