"""The room's view of presence (Yjs awareness), owned per connection.

The stock client re-sends every awareness change it *receives*; relaying frames verbatim would
turn one cursor move into K+1 copies per client. Instead each update is applied here and only
the entries whose clock advanced are forwarded, once, to everyone. Each client id belongs to the
connection that introduced it, so one connection cannot overwrite or remove another's presence,
and the server removes a connection's ids itself when it closes (browsers send nothing when a
tab dies).
"""

from __future__ import annotations

import json
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from collab.sync.protocol import AwarenessEntry

# Client ids whose first owner is remembered, per room (a room unloads when idle): enough for
# every connection a room sees in its life, bounded against a client inventing ids.
MAX_CLAIMS = 10_000

# A removed client's clock is remembered this long so that late re-broadcasts of its old
# state by other clients cannot resurrect it.
TOMBSTONE_SECONDS = 60.0


@dataclass(slots=True)
class _Slot:
    clock: int
    state: str
    owner: Hashable | None  # None once removed (a tombstone)
    updated: float


@dataclass(frozen=True, slots=True)
class AwarenessResult:
    forward: list[AwarenessEntry]  # to everyone in the room, sender included
    reply: list[AwarenessEntry]  # to the sender only


def stamp_user(entry: AwarenessEntry, user: Mapping[str, str]) -> AwarenessEntry:
    """The entry with its `user` field replaced by the server's: nobody can pose as someone else."""
    if entry.removed:
        return entry
    state = json.loads(entry.state)
    state["user"] = dict(user)
    return AwarenessEntry(entry.client_id, entry.clock, json.dumps(state, separators=(",", ":")))


class AwarenessView:
    def __init__(self, *, max_ids_per_owner: int) -> None:
        self._slots: dict[int, _Slot] = {}
        self._owned: dict[Hashable, set[int]] = {}
        self._max_ids = max_ids_per_owner
        # client id -> the identity (user) that first used it. A connection's ids outlive it
        # only as tombstones; without this, anyone could take over a disconnected user's id
        # and keep that user invisible when they come back with it.
        self._claims: dict[int, Hashable] = {}

    def apply(
        self, owner: Hashable, entries: list[AwarenessEntry], *, identity: Hashable = None
    ) -> AwarenessResult:
        """Apply one connection's (`owner`) entries; `identity` is who is behind it (the same
        user on several connections may reuse their ids)."""
        now = time.monotonic()
        forward: list[AwarenessEntry] = []
        reply: list[AwarenessEntry] = []
        owned = self._owned.setdefault(owner, set())
        for entry in entries:
            claim = self._claims.get(entry.client_id)
            if claim is not None and identity is not None and claim != identity:
                continue  # another user's id, even while they are away
            slot = self._slots.get(entry.client_id)
            if slot is not None and slot.owner is not None and slot.owner != owner:
                continue  # someone else's presence, or a re-broadcast of it
            if slot is None or slot.owner is None:
                if entry.removed:
                    continue  # removing what is not here changes nothing
                if len(owned) >= self._max_ids:
                    continue
                if slot is not None and entry.clock <= slot.clock:
                    # A client back after a disconnect still has the clock the server removed.
                    # Sending it the removal makes the stock client bump its clock and re-send.
                    reply.append(AwarenessEntry(entry.client_id, slot.clock, "null"))
                    continue
            elif entry.clock < slot.clock or (entry.clock == slot.clock and not entry.removed):
                continue
            self._store(owner, owned, entry, now)
            if identity is not None and claim is None and not entry.removed:
                self._claim(entry.client_id, identity)
            forward.append(entry)
        return AwarenessResult(forward, reply)

    def news(self, owner: Hashable, entries: list[AwarenessEntry]) -> list[AwarenessEntry]:
        """The entries `apply` may act on: without those re-broadcasting another connection's
        presence or an older clock of `owner`'s own, which it skips. The stock client re-sends
        every change it receives, so in a room of K clients most messages are only that, and
        the room need not read their states."""
        slots = self._slots
        return [
            entry
            for entry in entries
            if (slot := slots.get(entry.client_id)) is None
            or slot.owner is None
            or (slot.owner == owner and entry.clock >= slot.clock)
        ]

    def _claim(self, client_id: int, identity: Hashable) -> None:
        if len(self._claims) >= MAX_CLAIMS:
            del self._claims[next(iter(self._claims))]  # the oldest claim
        self._claims[client_id] = identity

    def _store(self, owner: Hashable, owned: set[int], entry: AwarenessEntry, now: float) -> None:
        if entry.removed:
            self._slots[entry.client_id] = _Slot(entry.clock, "null", None, now)
            owned.discard(entry.client_id)
        else:
            self._slots[entry.client_id] = _Slot(entry.clock, entry.state, owner, now)
            owned.add(entry.client_id)

    def remove_owner(self, owner: Hashable) -> list[AwarenessEntry]:
        """Forget a closed connection: the removals to send to everyone still in the room."""
        now = time.monotonic()
        removed = []
        for client_id in sorted(self._owned.pop(owner, set())):
            slot = self._slots[client_id]
            entry = AwarenessEntry(client_id, slot.clock + 1, "null")
            self._slots[client_id] = _Slot(entry.clock, "null", None, now)
            removed.append(entry)
        self._prune(now)
        return removed

    def snapshot(self) -> list[AwarenessEntry]:
        """Everyone present now, for a joiner or a query."""
        return [
            AwarenessEntry(client_id, slot.clock, slot.state)
            for client_id, slot in self._slots.items()
            if slot.owner is not None
        ]

    def owned(self) -> list[tuple[AwarenessEntry, Hashable]]:
        """Everyone present now, with the owner of each entry."""
        return [
            (AwarenessEntry(client_id, slot.clock, slot.state), slot.owner)
            for client_id, slot in self._slots.items()
            if slot.owner is not None
        ]

    def __len__(self) -> int:
        # Every owned slot is in its owner's set (`_store`, `remove_owner`): one count per
        # connection, not a walk over every id (tombstones included) per presence message.
        return sum(len(ids) for ids in self._owned.values())

    def _prune(self, now: float) -> None:
        expired = [
            client_id
            for client_id, slot in self._slots.items()
            if slot.owner is None and now - slot.updated > TOMBSTONE_SECONDS
        ]
        for client_id in expired:
            del self._slots[client_id]
