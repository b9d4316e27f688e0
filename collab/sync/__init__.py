"""The sync engine: CRDT rooms, the y-websocket protocol, presence, locks, update inspection.

No web framework, database or broker imports here: `server/` adapts its transport to `Channel`
and its database to `UpdateStore`. This list is what `server/` may use.
"""

from collab.sync.errors import (
    ChannelClosed,
    CloseCode,
    CollabError,
    FrameTooLarge,
    InvalidUpdate,
    LoadError,
    ProtocolError,
    ShuttingDown,
)
from collab.sync.limits import Limits
from collab.sync.peer import Channel, Identity, Peer
from collab.sync.persister import Persister
from collab.sync.registry import RoomRegistry
from collab.sync.room import Room
from collab.sync.session import serve_peer
from collab.sync.store import LogEntry, MemoryStore, Snapshot, StoredDocument, UpdateStore

__all__ = [
    "Channel",
    "ChannelClosed",
    "CloseCode",
    "CollabError",
    "FrameTooLarge",
    "Identity",
    "InvalidUpdate",
    "Limits",
    "LoadError",
    "LogEntry",
    "MemoryStore",
    "Peer",
    "Persister",
    "ProtocolError",
    "Room",
    "RoomRegistry",
    "ShuttingDown",
    "Snapshot",
    "StoredDocument",
    "UpdateStore",
    "serve_peer",
]
