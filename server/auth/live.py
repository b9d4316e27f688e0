"""Access changes applied to open WebSockets at once: revoked sessions, changed or removed roles.

The database is the truth; this object makes the sockets of this process follow it. A socket
being opened while a change happens cannot slip through: the invoice socket notes the user's
generation before reading their access and checks it (and the session) again right before
joining.

With several processes (a `bus`, REDIS_URL), a change applied here is published on the bus's
"access" channel (server/auth/live_wire.py); the other processes apply it to their own sockets,
revoked sessions and generations, so their sockets being opened cannot slip through either,
and do not publish it again. Pub/sub loses messages while Redis is unreachable. What holds then:

- Nothing new gets through. Every HTTP request with a bearer token and every WebSocket upgrade
  reads the session from the database (`access.authenticate`: `sessions.is_active`), and a
  socket reads the caller's membership and role from the database before it joins
  (`invoices.access`, `board.board_member`).
- A lost message costs the sockets already open on the other processes. Those of a revoked
  session stay open (receiving, and editing what their role allows) until Redis is reachable
  again: on every (re)connection each process closes the sockets of the sessions revoked since
  its previous connection, and tells the others again in case its own publishing was what
  failed (`_recheck`). Then the role of every user with an invoice socket open here is read
  again and applied (`_recheck_roles`): a demotion or a removal lost meanwhile takes effect on
  those sockets then. A board socket whose user has no invoice socket open here keeps its
  former rights until it reconnects (board sockets cannot be listed through `LiveSockets`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker

from collab.sync import CloseCode, RoomRegistry
from server.auth import accounts, sessions
from server.auth import live_wire as wire
from server.auth.permissions import Capability, Role, can
from server.core.bus import Bus

log = logging.getLogger(__name__)

# The status of each of `invoice_ids` that belongs to `org_id` (given by the invoices feature, so
# that auth does not reach into its tables).
InvoiceStates = Callable[[str, list[str]], Awaitable[list[tuple[str, str]]]]
# The organization of each of the invoice ids (the same way).
InvoiceOrgs = Callable[[list[str]], Awaitable[dict[str, str]]]

# `revoked_at` comes from the revoking host's clock: a re-check reads this much further back.
CLOCK_SLACK_SECONDS = 60.0
# Revocations re-sent after a reconnection go in messages of at most this many ids (a message
# holds at most live_wire.MAX_IDS).
REPUBLISH_IDS = 1000


class LiveSockets(Protocol):
    """Other live channels (the board's), made to follow access changes as the rooms are."""

    def end_sessions(self, session_ids: set[str], reason: str) -> int: ...

    def apply_membership(self, *, user_id: str, org_id: str, role: Role | None) -> None: ...


class LiveAccess:
    """This process's sockets following access changes. With `bus`, the other processes' too;
    with `db_sessions` as well, revocations a reconnection may have missed are re-read."""

    def __init__(
        self,
        registry: RoomRegistry,
        invoice_states: InvoiceStates,
        *,
        remember_seconds: int,
        bus: Bus | None = None,
        db_sessions: async_sessionmaker[Any] | None = None,
        invoice_orgs: InvoiceOrgs | None = None,
    ) -> None:
        self._invoice_orgs = invoice_orgs
        self._registry = registry
        self._invoice_states = invoice_states
        self._remember = remember_seconds  # an access token's lifetime: revoked ids outlive none
        self._revoked: dict[str, float] = {}
        self._generations: defaultdict[str, int] = defaultdict(int)
        self.sockets: list[LiveSockets] = []  # registered at app assembly
        self._bus = bus
        self._db = db_sessions
        # Role changes reach the rooms in the order they came (a promotion then a demotion
        # must not end promoted), whether made here or heard from another process.
        self._rooms_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()  # referenced until done
        self._connected_at = time.time()  # wall clock, as `revoked_at`; nothing was open before
        if bus is not None:
            bus.subscribe(wire.CHANNEL, self._heard)
            bus.on_connected.append(self._reconnected)

    def generation(self, user_id: str) -> int:
        return self._generations[user_id]

    def revoked(self, session_id: str) -> bool:
        return session_id in self._revoked

    def end_sessions(self, session_ids: Iterable[str], reason: str) -> int:
        """Close the sockets of revoked sessions (after the revocation is committed), in this
        process and the others; the number closed here."""
        ids = set(session_ids)
        closed = self._end_here(ids, reason)
        if ids:
            self._publish(wire.SessionsEnded(frozenset(ids), reason))
        return closed

    async def apply_membership(self, *, user_id: str, org_id: str, role: Role | None) -> None:
        """Make the user's open sockets on this organization's invoices follow their new role
        (None: no longer a member, the sockets are closed), in this process and the others.
        Call after the change is committed.
        """
        self._membership_here(user_id, org_id, role)
        # Before this process reads its rooms' states: the others need not wait for that.
        self._publish(wire.MembershipChanged(user_id, org_id, role))
        await self._apply_to_rooms(user_id, org_id, role)

    # -- this process's sockets ---------------------------------------------------------------

    def _end_here(self, ids: set[str], reason: str) -> int:
        now = time.monotonic()
        for session_id in ids:
            self._revoked[session_id] = now + self._remember
        for session_id, until in list(self._revoked.items()):
            if until < now:
                del self._revoked[session_id]
        return sum(
            room.disconnect(lambda i: i.session_id in ids, CloseCode.POLICY_VIOLATION, reason)
            for room in self._registry.rooms
        ) + sum(sockets.end_sessions(ids, reason) for sockets in self.sockets)

    def _membership_here(self, user_id: str, org_id: str, role: Role | None) -> None:
        """What needs no await: sockets being opened now see the change, boards follow it."""
        self._generations[user_id] += 1
        for sockets in self.sockets:
            sockets.apply_membership(user_id=user_id, org_id=org_id, role=role)

    async def _apply_to_rooms(self, user_id: str, org_id: str, role: Role | None) -> None:
        async with self._rooms_lock:
            loaded = {room.doc_id: room for room in self._registry.rooms}
            if not loaded:
                return
            for invoice_id, status in await self._invoice_states(org_id, list(loaded)):
                room = loaded[invoice_id]
                if role is None or not can(role, Capability.INVOICE_READ):
                    room.disconnect(
                        lambda i: i.user_id == user_id,
                        CloseCode.POLICY_VIOLATION,
                        "membership removed",
                    )
                else:
                    editable = can(role, Capability.INVOICE_EDIT) and status == "draft"
                    room.set_rights(user_id, can_edit=editable)

    # -- the other processes ------------------------------------------------------------------

    def _publish(self, change: wire.AccessChange) -> None:
        if self._bus is not None:
            self._bus.publish(wire.CHANNEL, wire.encode(change))

    def _heard(self, origin: str, payload: bytes) -> None:
        """A change another process made and applied: apply it here, without publishing it."""
        try:
            change = wire.decode(payload)
        except wire.BadMessage as exc:
            log.warning("ignored an access message from %s (%s): %r", origin, exc, payload[:200])
            return
        if isinstance(change, wire.SessionsEnded):
            self._end_here(set(change.ids), change.reason)
        else:
            self._membership_here(change.user_id, change.org_id, change.role)
            self._spawn(self._apply_to_rooms(change.user_id, change.org_id, change.role))

    def _reconnected(self) -> None:
        """The bus is connected again: what it carried meanwhile may be lost."""
        if self._db is None:
            return
        since, self._connected_at = self._connected_at, time.time()
        self._spawn(self._recheck(self._db, since))

    async def _recheck(self, db_sessions: async_sessionmaker[Any], since: float) -> None:
        """Close the sockets of the sessions revoked since `since` (a wall-clock time)."""
        start = datetime.fromtimestamp(since - CLOCK_SLACK_SECONDS, UTC)
        try:
            async with db_sessions() as db:
                ended = await sessions.revoked_since(db, start)
        except Exception:
            self._connected_at = min(self._connected_at, since)  # the next connection retries
            raise
        closed = self._end_here(set(ended), "session revoked")
        if closed:
            log.warning("closed %d sockets of sessions revoked while Redis was away", closed)
        # The bus also calls this when this process's own publishing works again: the others
        # may have missed what it sent, so it tells them again (a second revocation is a no-op).
        for first in range(0, len(ended), REPUBLISH_IDS):
            chunk = frozenset(ended[first : first + REPUBLISH_IDS])
            self._publish(wire.SessionsEnded(chunk, "session revoked"))
        await self._recheck_roles(db_sessions)

    async def _recheck_roles(self, db_sessions: async_sessionmaker[Any]) -> None:
        """Role changes and removals the bus may have lost: the role of every user with an
        invoice socket open here is read again (one query per user and organization) and
        applied, as a change heard would be."""
        if self._invoice_orgs is None:
            return
        open_here = {(r.doc_id, p.identity.user_id) for r in self._registry.rooms for p in r.peers}
        if not open_here:
            return
        orgs = await self._invoice_orgs(sorted({doc_id for doc_id, _ in open_here}))
        pairs = sorted({(user, orgs[doc_id]) for doc_id, user in open_here if doc_id in orgs})
        async with db_sessions() as db:
            found = [await accounts.membership(db, user, org) for user, org in pairs]
        for (user, org), member in zip(pairs, found, strict=True):
            role = None if member is None else member.role
            self._membership_here(user, org, role)
            await self._apply_to_rooms(user, org, role)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except Exception:
        log.exception("applying an access change to this process's sockets failed")
