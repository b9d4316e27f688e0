"""What other features may use of `auth`: the caller of a request, memberships and roles.

Other feature packages import this module only, never auth's other modules.
"""

from __future__ import annotations

from server.auth.access import Caller, Principal, access_of, audit_denied, authenticate
from server.auth.accounts import (
    Member,
    acting_member,
    member_ids,
    membership,
    memberships,
    org_users,
    users_by_id,
)
from server.auth.members import require
from server.auth.models import User
from server.auth.permissions import Capability, Role, can
from server.auth.sockets import SocketCaller, access_changed, deny, socket_caller

__all__ = [
    "Caller",
    "Capability",
    "Member",
    "Principal",
    "Role",
    "SocketCaller",
    "User",
    "access_changed",
    "access_of",
    "acting_member",
    "audit_denied",
    "authenticate",
    "can",
    "deny",
    "member_ids",
    "membership",
    "memberships",
    "org_users",
    "require",
    "socket_caller",
    "users_by_id",
]
