"""The audit chain as pure functions: the canonical encoding of an entry, its hash, and the walk
that finds the first broken link. No I/O: server/audit/append.py writes chains, service.py
reads them.

Every organization's entries form one chain (entries without an organization form the global
chain). Entry n stores `prev_hash` (entry n-1's hash, or GENESIS for the first) and
`hash = SHA-256(canonical(entry) || prev_hash)`, so changing, deleting, inserting or moving any
entry breaks the link at that entry or the next one. Removing the newest entries leaves a valid
shorter chain: only a head hash kept elsewhere (printed by `verify-audit`) can show that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

GENESIS: Final = "0" * 64
ENCODING_VERSION: Final = 1
GLOBAL_CHAIN: Final = ""  # the chain key of entries without an organization


def chain_key(org_id: str | None) -> str:
    return org_id if org_id is not None else GLOBAL_CHAIN


def canonical_time(at: datetime) -> str:
    """UTC with microseconds and a Z, whatever the database handed back (naive means UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class EntryFields:
    """What an entry's hash covers: everything but the database id and the hashes themselves."""

    position: int
    at: datetime
    event: str
    actor_id: str | None
    org_id: str | None
    target: str | None
    ip: str | None
    detail: str | None


def canonical(entry: EntryFields) -> bytes:
    """Deterministic bytes: JSON with sorted keys, no spaces, ASCII only, no floats."""
    encoded = {
        "v": ENCODING_VERSION,
        "position": entry.position,
        "at": canonical_time(entry.at),
        "event": entry.event,
        "actor_id": entry.actor_id,
        "org_id": entry.org_id,
        "target": entry.target,
        "ip": entry.ip,
        "detail": entry.detail,
    }
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: EntryFields, prev_hash: str) -> str:
    return hashlib.sha256(canonical(entry) + prev_hash.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One row as read back, in chain order (by position)."""

    id: int
    fields: EntryFields
    prev_hash: str
    hash: str


class BreakReason(StrEnum):
    MISSING = "missing"  # a position is skipped: an entry was deleted
    OUT_OF_PLACE = "out_of_place"  # a position repeats or goes back: inserted or moved
    UNLINKED = "unlinked"  # prev_hash is not the previous entry's hash
    MODIFIED = "modified"  # the entry's content does not match its hash
    REORDERED = "reordered"  # ids go back along the chain: rows were swapped
    WRONG_CHAIN = "wrong_chain"  # the entry belongs to another organization's chain


@dataclass(frozen=True, slots=True)
class Break:
    position: int
    id: int
    reason: BreakReason


@dataclass(frozen=True, slots=True)
class Verdict:
    entries: int
    first_broken: Break | None
    head_hash: str  # the last entry's hash (GENESIS for an empty chain)

    @property
    def ok(self) -> bool:
        return self.first_broken is None


class Walk:
    """Walks one chain in position order, entry by entry (so a chain can be streamed)."""

    def __init__(self, *, org_id: str | None) -> None:
        self.org_id = org_id
        self.entries = 0
        self.first_broken: Break | None = None
        self._position, self._prev_hash, self._last_id = 1, GENESIS, 0

    def step(self, entry: StoredEntry) -> bool:
        """Check the next entry; False once a link is broken (the walk stops there)."""
        if self.first_broken is not None:
            return False
        self.entries += 1
        reason = _check(entry, self.org_id, self._position, self._prev_hash, self._last_id)
        if reason is not None:
            self.first_broken = Break(entry.fields.position, entry.id, reason)
            return False
        self._position, self._prev_hash = entry.fields.position + 1, entry.hash
        self._last_id = entry.id
        return True

    def verdict(self) -> Verdict:
        return Verdict(self.entries, self.first_broken, self._prev_hash)


def verify(entries: Iterable[StoredEntry], *, org_id: str | None) -> Verdict:
    """Walk one chain in position order; stop at the first broken link."""
    walk = Walk(org_id=org_id)
    for entry in entries:
        if not walk.step(entry):
            break
    return walk.verdict()


def _check(
    entry: StoredEntry, org_id: str | None, position: int, prev_hash: str, last_id: int
) -> BreakReason | None:
    if entry.fields.org_id != org_id:
        return BreakReason.WRONG_CHAIN
    if entry.fields.position > position:
        return BreakReason.MISSING
    if entry.fields.position < position:
        return BreakReason.OUT_OF_PLACE
    if entry.prev_hash != prev_hash:
        return BreakReason.UNLINKED
    if entry_hash(entry.fields, entry.prev_hash) != entry.hash:
        return BreakReason.MODIFIED
    if entry.id <= last_id:
        return BreakReason.REORDERED
    return None
