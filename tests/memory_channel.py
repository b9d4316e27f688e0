"""An in-memory Channel pair for collaboration tests without sockets."""

from __future__ import annotations

import asyncio

from collab.sync import ChannelClosed


class MemoryChannel:
    """The server's end of a connection; the test plays the client through `to_server` and
    `sent`."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.to_server: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.sent: list[bytes] = []
        self.closed_with: tuple[int, str] | None = None
        self.received = asyncio.Event()
        self._stalled = asyncio.Event()
        if not stalled:
            self._stalled.set()

    def unstall(self) -> None:
        self._stalled.set()

    async def send(self, data: bytes) -> None:
        await self._stalled.wait()  # a stalled client: the send never completes
        if self.closed_with is not None:
            raise ChannelClosed("closed")
        self.sent.append(data)
        self.received.set()

    async def recv(self) -> bytes:
        data = await self.to_server.get()
        if data is None:
            raise ChannelClosed("client went away")
        return data

    async def close(self, code: int, reason: str) -> None:
        if self.closed_with is None:
            self.closed_with = (code, reason)
        self.to_server.put_nowait(None)

    def hang_up(self) -> None:
        self.to_server.put_nowait(None)
