"""The bus's "access" channel: access changes between processes as compact JSON, pure functions
over bytes (server/auth/live.py publishes and applies them).

The other processes share the database and the secret key, but a message is still read as
hostile input: anything malformed is refused whole (`BadMessage`), never half-applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.auth.permissions import Role

CHANNEL = "access"
# A password change revokes every session of one user: a few dozen. Far above, not ours.
MAX_IDS = 10_000
# Ids are 32-36 characters; a close reason is cut at 120 bytes anyway.
MAX_TEXT = 200
_ROLES = frozenset(role.value for role in Role)


@dataclass(frozen=True, slots=True)
class SessionsEnded:
    ids: frozenset[str]
    reason: str


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    user_id: str
    org_id: str
    role: Role | None  # None: no longer a member


AccessChange = SessionsEnded | MembershipChanged


class BadMessage(ValueError):
    """A payload that is not an access change."""


def encode(change: AccessChange) -> bytes:
    body: dict[str, Any]
    if isinstance(change, SessionsEnded):
        body = {"kind": "sessions", "ids": sorted(change.ids), "reason": change.reason}
    else:
        role = None if change.role is None else change.role.value
        body = {"kind": "membership", "user_id": change.user_id, "org_id": change.org_id}
        body["role"] = role
    return json.dumps(body, separators=(",", ":")).encode()


def decode(payload: bytes) -> AccessChange:
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON; absurd nesting
        raise BadMessage("not JSON") from exc
    if not isinstance(body, dict):
        raise BadMessage("not a JSON object")
    kind = body.get("kind")
    if kind == "sessions":
        ids = body.get("ids")
        if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(map(_is_id, ids)):
            raise BadMessage("`ids` must be a list of session ids")
        return SessionsEnded(frozenset(ids), _text(body, "reason", empty=True))
    if kind == "membership":
        role = body.get("role")
        if role is not None:
            if not isinstance(role, str) or role not in _ROLES:
                raise BadMessage("`role` must be a role or null")
            role = Role(role)
        return MembershipChanged(_text(body, "user_id"), _text(body, "org_id"), role)
    raise BadMessage("unknown `kind`")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT


def _text(body: dict[str, Any], key: str, *, empty: bool = False) -> str:
    value = body.get(key)
    if not isinstance(value, str) or len(value) > MAX_TEXT or not (value or empty):
        raise BadMessage(f"`{key}` must be a short string")
    return value
