"""What request handlers share: settings, database, token signer, rooms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from collab.sync import RoomRegistry, UpdateStore
from server.core.bus import Bus
from server.core.settings import Settings
from server.core.tokens import TokenSigner


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    signer: TokenSigner
    store: UpdateStore  # the SQL store (server/invoices/store.py) behind collab's port
    registry: RoomRegistry
    bus: Bus | None = None  # the other processes (REDIS_URL); None: this process is alone
    # Writes now the derived columns of the invoices of these organizations edited here
    # (server/invoices/rooms.py), before a list reads them.
    settle_summaries: Callable[[Collection[str]], Awaitable[None]] | None = None
