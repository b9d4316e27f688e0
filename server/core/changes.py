""" "This invoice changed": a signal features raise and live views (the board) listen to.

Lower features (workflow, comments, invoices) cannot import the board, which reads them; they
call `invoice_changed` (or `after_commit` inside a transaction, so that a listener reading the
database sees the change and a rolled-back change says nothing), and app assembly registers
the listeners. Listeners are synchronous and must be cheap: they schedule their own work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# (org_id or None when the caller does not know it, invoice_id)
Listener = Callable[[str | None, str], None]

# By name: assembling the application again replaces, never doubles, a listener.
_LISTENERS: dict[str, Listener] = {}

_PENDING = "cofacture.changed_invoices"
_HOOKED = "cofacture.changed_hooked"


def register(name: str, listener: Listener | None) -> None:
    """Add (or, with None, remove) a listener."""
    if listener is None:
        _LISTENERS.pop(name, None)
    else:
        _LISTENERS[name] = listener


def invoice_changed(org_id: str | None, invoice_id: str) -> None:
    """Tell the listeners now (call it after the change is committed)."""
    for name, listener in list(_LISTENERS.items()):
        try:
            listener(org_id, invoice_id)
        except Exception:  # a live view's failure must never fail the change itself
            log.exception("change listener %s failed on invoice %s", name, invoice_id)


def after_commit(db: AsyncSession, org_id: str | None, invoice_id: str) -> None:
    """Tell the listeners once the caller's transaction commits; nothing if it rolls back."""
    session = db.sync_session
    pending: set[tuple[str | None, str]] = session.info.setdefault(_PENDING, set())
    pending.add((org_id, invoice_id))
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_soft_rollback", _rolled_back)


def _committed(session: Session) -> None:
    for org_id, invoice_id in sorted(session.info.pop(_PENDING, set()), key=lambda p: p[1]):
        invoice_changed(org_id, invoice_id)


def _rolled_back(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)
