"""A peer's send path: straight to the transport while it takes frames, through the bounded
queue and a writer task while it does not, in order either way."""

from __future__ import annotations

import asyncio

from collab.sync import ChannelClosed, CloseCode, Identity, Peer
from tests.harness import wait_until

EDITOR = Identity(user_id="u-editor", name="Ed", can_edit=True)


class DirectChannel:
    """A channel with a direct write that can be paused, like a transport over its high-water
    mark: `send_nowait` refuses, `send` waits until `resume`."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.direct = 0  # frames written by send_nowait
        self.closed_with: tuple[int, str] | None = None
        self.gone = False
        self._writable = asyncio.Event()
        self._writable.set()

    def pause(self) -> None:
        self._writable.clear()

    def resume(self) -> None:
        self._writable.set()

    def send_nowait(self, data: bytes) -> bool:
        if self.gone:
            raise ChannelClosed("gone")
        if not self._writable.is_set():
            return False
        self.sent.append(data)
        self.direct += 1
        return True

    async def send(self, data: bytes) -> None:
        await self._writable.wait()
        if self.gone:
            raise ChannelClosed("gone")
        self.sent.append(data)

    async def recv(self) -> bytes:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


def writers() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "peer-writer" and not t.done()]


async def test_frames_go_straight_to_the_transport_without_a_task() -> None:
    channel = DirectChannel()
    async with Peer(channel, EDITOR, queue_limit=10) as peer:
        for i in range(100):
            peer.send(b"f%d" % i)
        assert channel.sent == [b"f%d" % i for i in range(100)]
        assert channel.direct == 100 and writers() == []


async def test_frames_keep_their_order_across_a_backlog() -> None:
    channel = DirectChannel()
    async with Peer(channel, EDITOR, queue_limit=100) as peer:
        peer.send(b"0")
        channel.pause()
        for i in range(1, 20):
            peer.send(b"%d" % i)
        assert len(writers()) == 1
        channel.resume()
        await asyncio.sleep(0)  # the writer is still draining: new frames queue behind it
        for i in range(20, 30):
            peer.send(b"%d" % i)
        await wait_until(lambda: len(channel.sent) == 30, what="all 30 frames")
        assert channel.sent == [b"%d" % i for i in range(30)]
        await wait_until(lambda: writers() == [], what="the writer gone once drained")
        peer.send(b"30")  # straight through again
        assert channel.sent[-1] == b"30" and writers() == []


async def test_a_paused_transport_is_closed_at_the_byte_bound() -> None:
    channel = DirectChannel()
    async with Peer(channel, EDITOR, queue_limit=1000, queue_bytes=10_000) as peer:
        channel.pause()
        for _ in range(11):
            peer.send(b"x" * 1000)
        assert peer.close_code is CloseCode.TRY_AGAIN_LATER
        channel.resume()
        await asyncio.wait_for(peer.wait_closed(), 2)
    # The one frame in flight when the queue overflowed may go; the queued ones are dropped.
    assert len(channel.sent) <= 1
    assert channel.closed_with is not None and channel.closed_with[0] == 1013


async def test_close_comes_after_the_last_queued_frame() -> None:
    channel = DirectChannel()
    async with Peer(channel, EDITOR, queue_limit=100) as peer:
        channel.pause()
        for i in range(5):
            peer.send(b"%d" % i)
        peer.close(CloseCode.POLICY_VIOLATION, "access changed")
        peer.send(b"late")  # after close: dropped
        assert channel.closed_with is None
        channel.resume()
        await asyncio.wait_for(peer.wait_closed(), 2)
    assert channel.sent == [b"%d" % i for i in range(5)]
    assert channel.closed_with == (1008, "access changed")


async def test_a_direct_write_to_a_gone_client_closes_the_peer() -> None:
    channel = DirectChannel()
    async with Peer(channel, EDITOR, queue_limit=100) as peer:
        channel.gone = True
        peer.send(b"x")  # never raises into the room
        assert peer.close_code is CloseCode.NORMAL
        await asyncio.wait_for(peer.wait_closed(), 2)
    assert channel.closed_with == (1000, "")


async def test_frames_sent_before_the_peer_is_entered_wait_for_it() -> None:
    channel = DirectChannel()
    peer = Peer(channel, EDITOR, queue_limit=100)
    peer.send(b"early")
    assert channel.sent == []
    async with peer:
        await wait_until(lambda: channel.sent == [b"early"], what="the early frame")
