"""What request handlers share: settings, database, token signer, rooms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from collab import RoomRegistry
from server.doc_store import SqlUpdateStore
from server.security import TokenSigner
from server.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    signer: TokenSigner
    store: SqlUpdateStore
    registry: RoomRegistry
