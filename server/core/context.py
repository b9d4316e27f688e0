"""What request handlers share: settings, database, token signer, rooms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from collab.sync import RoomRegistry
from server.auth.security import TokenSigner
from server.core.settings import Settings
from server.invoices.store import SqlUpdateStore


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    signer: TokenSigner
    store: SqlUpdateStore
    registry: RoomRegistry
