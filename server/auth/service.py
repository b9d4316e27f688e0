"""What other features may use of `auth`: the caller of a request, memberships and roles.

Other feature packages import this module only, never auth's other modules.
"""

from __future__ import annotations

from server.auth.access import Caller, Principal
from server.auth.accounts import Member, acting_member, membership, memberships
from server.auth.permissions import Capability, Role, can

__all__ = [
    "Caller",
    "Capability",
    "Member",
    "Principal",
    "Role",
    "acting_member",
    "can",
    "membership",
    "memberships",
]
