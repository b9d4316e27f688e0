"""Who a request acts through when it is not its caller in person: the audit log says it.

A request made with an API token acts as the admin who created the token; every audit event it
records carries "via token <name>" (server/audit/service.py `record`), set once by the
middleware that recognised the token (server/auth/access.py) for the length of the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_via: ContextVar[str | None] = ContextVar("cofacture_via", default=None)


@contextmanager
def acting_via(label: str) -> Iterator[None]:
    reset = _via.set(label)
    try:
        yield
    finally:
        _via.reset(reset)


def stamp(detail: str | None) -> str | None:
    """`detail` with the request's "via ..." added, when there is one."""
    via = _via.get()
    if via is None:
        return detail
    return f"{detail}; via {via}" if detail else f"via {via}"
