"""Cofacture's collaboration core: CRDT rooms, the sync protocol, presence.

No web framework, database or broker imports here: `server/` adapts its transport to `Channel`
and its database to `UpdateStore`. This list is what `server/` may use.
"""

from collab.errors import (
    ChannelClosed,
    CloseCode,
    CollabError,
    FrameTooLarge,
    InvalidUpdate,
    LoadError,
    ProtocolError,
)
from collab.limits import Limits
from collab.peer import Channel, Identity, Peer
from collab.persister import Persister
from collab.registry import RoomRegistry
from collab.room import Room
from collab.session import serve_peer
from collab.store import LogEntry, MemoryStore, Snapshot, StoredDocument, UpdateStore

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
    "Snapshot",
    "StoredDocument",
    "UpdateStore",
    "serve_peer",
]
