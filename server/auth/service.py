"""What other features may use of `auth`: the caller of a request, memberships and roles.

Other feature packages import this module only, never auth's other modules.
"""

from __future__ import annotations

from server.auth.access import Caller, Principal
from server.auth.accounts import Member, acting_member, member_ids, membership, memberships
from server.auth.members import require
from server.auth.permissions import Capability, Role, can

__all__ = [
    "Caller",
    "Capability",
    "Member",
    "Principal",
    "Role",
    "acting_member",
    "can",
    "member_ids",
    "membership",
    "memberships",
    "require",
]
