"""What an API token may do: its scopes as capabilities, and the narrowing it puts on its
creator's memberships for the length of one request.

A token acts for its organization as the admin who created it, with the capabilities its
scopes grant intersected with that admin's role *as it is at use time* (a demoted creator's
tokens lose what the creator lost; a removed creator's tokens stop working). The narrowing is
applied where memberships are read (server/auth/accounts.py), so every check that goes through
a `Member` sees it, and the token's organization is the only one its creator seems to belong to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from server.auth.permissions import Capability


class Scope(StrEnum):
    READ = "read"  # read everything of the organization the API offers (safe methods only)
    INVOICES_WRITE = "invoices:write"  # invoices, credit notes, comments, exceptions, catalogue
    PAYMENTS_WRITE = "payments:write"  # payments, refunds, reconciliation, reminders
    ADMIN = "admin"  # settings, members, tokens and whatever else only admins may change


_INVOICES = frozenset(
    {
        Capability.INVOICE_COMMENT,
        Capability.INVOICE_CREATE,
        Capability.INVOICE_EDIT,
        Capability.INVOICE_SUBMIT,
        Capability.INVOICE_APPROVE,
        Capability.INVOICE_ISSUE,
        Capability.CREDIT_NOTE_CREATE,
        Capability.EXCEPTION_OPEN,
    }
)
_PAYMENTS = frozenset({Capability.PAYMENT_MANAGE})
# Every write scope reads what it writes to: finding the invoice a payment is for needs
# `invoice.read`, and without it a refused write would answer 404 instead of 403.
_BASE = frozenset({Capability.INVOICE_READ})

# What each scope grants on a write (POST, PUT, PATCH, DELETE). `admin` is everything the two
# other write scopes leave out, so a capability added later (webhooks...) is admin-only until
# someone decides otherwise, never granted by accident.
WRITE_CAPABILITIES: dict[Scope, frozenset[Capability]] = {
    Scope.READ: _BASE,
    Scope.INVOICES_WRITE: _BASE | _INVOICES,
    Scope.PAYMENTS_WRITE: _BASE | _PAYMENTS,
    Scope.ADMIN: frozenset(Capability) - _INVOICES - _PAYMENTS,
}
# `read` opens every GET of the organization except the token list: listing tokens is
# managing them, which needs `admin`.
_READ_ALL = frozenset(Capability) - {Capability.TOKEN_MANAGE}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def capabilities(scopes: frozenset[Scope], method: str) -> frozenset[Capability]:
    """What a token with `scopes` may do in a request of `method` (before its creator's role)."""
    granted = frozenset[Capability]().union(*(WRITE_CAPABILITIES[s] for s in scopes))
    if method.upper() in SAFE_METHODS and Scope.READ in scopes:
        granted |= _READ_ALL
    return granted


def writes(scopes: frozenset[Scope]) -> bool:
    return bool(scopes - {Scope.READ})


@dataclass(frozen=True, slots=True)
class Grant:
    """The API token a request is made with."""

    token_id: str
    name: str
    org_id: str
    user_id: str  # its creator, whom it acts as
    scopes: frozenset[Scope]
    capabilities: frozenset[Capability]  # for this request's method


_current: ContextVar[Grant | None] = ContextVar("cofacture_api_token", default=None)


@contextmanager
def acting(grant: Grant) -> Iterator[None]:
    """Narrow memberships to `grant` while the request runs (reset after: tests serve several
    requests in one task)."""
    reset = _current.set(grant)
    try:
        yield
    finally:
        _current.reset(reset)


def current() -> Grant | None:
    return _current.get()


def narrowing(user_id: str) -> Grant | None:
    """The token narrowing `user_id`'s memberships in this request, if any (only its creator's:
    a check made about someone else, such as an assignee's role, is not narrowed)."""
    grant = _current.get()
    return grant if grant is not None and grant.user_id == user_id else None
