"""Bytes, not counts (issue 10, defects 7 and 11): a slow client's queue is bounded in bytes,
one client's presence state in size, and a presence id stays with the user who first used it."""

from __future__ import annotations

import asyncio
import json

from collab.sync import CloseCode, Limits, MemoryStore
from collab.sync.awareness import AwarenessView
from collab.sync.protocol import AwarenessEntry, encode_awareness, encode_awareness_update
from tests.harness import wait_until
from tests.test_room import EDITOR, VIEWER, Connection, joined, registry


def presence(client_id: int, clock: int, size: int) -> bytes:
    state = json.dumps({"cursor": "x" * size})
    return encode_awareness(encode_awareness_update([AwarenessEntry(client_id, clock, state)]))


async def test_a_stalled_client_is_closed_when_its_queue_passes_the_byte_budget() -> None:
    # 20 frames of ~6 KB: far under the frame count, over a 64 KiB byte budget.
    limits = Limits(send_queue_frames=1000, send_queue_bytes=64 * 1024)
    async with registry(MemoryStore()) as rooms:
        room = await rooms.acquire("inv")
        stalled = Connection(room, EDITOR, limits, stalled=True)
        sender = Connection(room, VIEWER, limits)
        await joined(room, 2)
        for clock in range(1, 21):
            sender.send(presence(7, clock, 6000))
        # The sender's own echoes arrive: every frame went through the room.
        await wait_until(lambda: len(sender.channel.sent) >= 21, what="all 20 relayed")
        stalled.channel.unstall()
        peer = await asyncio.wait_for(stalled.task, 5)
        assert peer.close_code is CloseCode.TRY_AGAIN_LATER
        assert sender.channel.closed_with is None
        await sender.close()


async def test_an_oversized_presence_state_closes_its_sender_only() -> None:
    limits = Limits(awareness_state_bytes=1024)
    async with registry(MemoryStore(), awareness_state_bytes=1024) as rooms:
        room = await rooms.acquire("inv")
        big, other = Connection(room, VIEWER, limits), Connection(room, EDITOR, limits)
        await joined(room, 2)
        big.send(presence(7, 1, 2000))
        peer = await asyncio.wait_for(big.task, 5)
        assert peer.close_code is CloseCode.MESSAGE_TOO_BIG
        assert len(room.awareness) == 0  # nothing of it is kept for joiners
        assert other.channel.closed_with is None
        await other.close()


def test_a_viewer_cannot_take_over_a_disconnected_users_presence_id() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    state = '{"user":{"name":"Ada"}}'
    view.apply("ada-connection-1", [AwarenessEntry(1, 3, state)], identity="u-ada")
    view.remove_owner("ada-connection-1")  # Ada's tab closed
    # The viewer claims Ada's id with a higher clock: refused, even though Ada is away.
    grab = view.apply("viewer", [AwarenessEntry(1, 9, "{}")], identity="u-viewer")
    assert grab.forward == [] and len(view) == 0
    # Ada comes back with her id: she is visible again.
    back = view.apply("ada-connection-2", [AwarenessEntry(1, 5, state)], identity="u-ada")
    assert back.forward == [AwarenessEntry(1, 5, state)]
