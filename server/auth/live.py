"""Access changes applied to open WebSockets at once: revoked sessions, changed or removed roles.

The database is the truth; this object makes the sockets of this process follow it. A socket
being opened while a change happens cannot slip through: the invoice socket notes the user's
generation before reading their access and checks it (and the session) again right before
joining.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from collab.sync import CloseCode, RoomRegistry
from server.auth.permissions import Capability, Role, can

# The status of each of `invoice_ids` that belongs to `org_id` (given by the invoices feature, so
# that auth does not reach into its tables).
InvoiceStates = Callable[[str, list[str]], Awaitable[list[tuple[str, str]]]]


class LiveSockets(Protocol):
    """Other live channels (the board's), made to follow access changes as the rooms are."""

    def end_sessions(self, session_ids: set[str], reason: str) -> int: ...

    def apply_membership(self, *, user_id: str, org_id: str, role: Role | None) -> None: ...


class LiveAccess:
    def __init__(
        self, registry: RoomRegistry, invoice_states: InvoiceStates, *, remember_seconds: int
    ) -> None:
        self._registry = registry
        self._invoice_states = invoice_states
        self._remember = remember_seconds  # an access token's lifetime: revoked ids outlive none
        self._revoked: dict[str, float] = {}
        self._generations: defaultdict[str, int] = defaultdict(int)
        self.sockets: list[LiveSockets] = []  # registered at app assembly

    def generation(self, user_id: str) -> int:
        return self._generations[user_id]

    def revoked(self, session_id: str) -> bool:
        return session_id in self._revoked

    def end_sessions(self, session_ids: Iterable[str], reason: str) -> int:
        """Close the sockets of revoked sessions (after the revocation is committed)."""
        now = time.monotonic()
        ids = set(session_ids)
        for session_id in ids:
            self._revoked[session_id] = now + self._remember
        for session_id, until in list(self._revoked.items()):
            if until < now:
                del self._revoked[session_id]
        return sum(
            room.disconnect(lambda i: i.session_id in ids, CloseCode.POLICY_VIOLATION, reason)
            for room in self._registry.rooms
        ) + sum(sockets.end_sessions(ids, reason) for sockets in self.sockets)

    async def apply_membership(self, *, user_id: str, org_id: str, role: Role | None) -> None:
        """Make the user's open sockets on this organization's invoices follow their new role
        (None: no longer a member, the sockets are closed). Call after the change is committed.
        """
        self._generations[user_id] += 1
        for sockets in self.sockets:
            sockets.apply_membership(user_id=user_id, org_id=org_id, role=role)
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
