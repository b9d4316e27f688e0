""" "This invoice changed": a signal features raise and live views (the board) listen to.

Lower features (workflow, comments, invoices) cannot import the board, which reads them; they
call `invoice_changed` (or `after_commit` inside a transaction, so that a listener reading the
database sees the change and a rolled-back change says nothing), and app assembly registers
the listeners. Listeners are synchronous and must be cheap: they schedule their own work.

With several processes (REDIS_URL), a `Relay` carries this process's changes to the others and
theirs to this process's listeners; a relay is never told what another process relayed, so a
change crosses the bus once and never bounces between processes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from server.core.bus import Bus

log = logging.getLogger(__name__)

# (org_id or None when the caller does not know it, invoice_id)
Listener = Callable[[str | None, str], None]

# By name: assembling the application again replaces, never doubles, a listener.
_LISTENERS: dict[str, Listener] = {}
_RELAYS: set[str] = set()  # the listeners that carry changes to the other processes

_PENDING = "cofacture.changed_invoices"
_HOOKED = "cofacture.changed_hooked"


def register(name: str, listener: Listener | None, *, relay: bool = False) -> None:
    """Add (or, with None, remove) a listener. A `relay` hears only this process's changes."""
    _RELAYS.discard(name)
    if listener is None:
        _LISTENERS.pop(name, None)
        return
    _LISTENERS[name] = listener
    if relay:
        _RELAYS.add(name)


def invoice_changed(org_id: str | None, invoice_id: str) -> None:
    """Tell the listeners now (call it after the change is committed)."""
    _tell(org_id, invoice_id, relays=True)


def changed_elsewhere(org_id: str | None, invoice_id: str) -> None:
    """A change another process committed and relayed: tell every listener but the relays."""
    _tell(org_id, invoice_id, relays=False)


def _tell(org_id: str | None, invoice_id: str, *, relays: bool) -> None:
    for name, listener in list(_LISTENERS.items()):
        if not relays and name in _RELAYS:
            continue
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


# -- several processes ----------------------------------------------------------------------

CHANNEL = "changes"
_BATCH = 500  # changes per message: a bulk transaction's burst stays in modest messages
_ID_CHARS = 64  # invoice and organization ids are 36 characters; longer is not ours


class Relay:
    """A relaying listener (`register(..., relay=True)`): this process's changes go out on the
    bus, batched per turn of the event loop (a transaction tells its invoices in one go), and
    what the other processes relay is told to this process's listeners by `changed_elsewhere`.
    The bus is at-most-once: a lost message costs a stale card until its next change or the
    board's next snapshot, as a board socket's reconnect does today."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._pending: dict[str, str | None] = {}  # invoice id -> org id (None: not known)
        bus.subscribe(CHANNEL, self._heard)

    def __call__(self, org_id: str | None, invoice_id: str) -> None:
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._publish)
        if org_id is not None or invoice_id not in self._pending:
            self._pending[invoice_id] = org_id

    def _publish(self) -> None:
        pending = [[org_id, invoice_id] for invoice_id, org_id in self._pending.items()]
        self._pending = {}
        for start in range(0, len(pending), _BATCH):
            chunk = pending[start : start + _BATCH]
            self._bus.publish(CHANNEL, json.dumps(chunk, separators=(",", ":")).encode())

    def _heard(self, origin: str, payload: bytes) -> None:
        try:
            changed = json.loads(payload)
        except ValueError:
            changed = None
        if not isinstance(changed, list) or len(changed) > _BATCH:
            log.warning("dropped a malformed change message from process %s", origin)
            return
        for item in changed:
            if not _is_change(item):
                log.warning("dropped a malformed change from process %s: %.100r", origin, item)
                continue
            changed_elsewhere(item[0], item[1])


def _is_change(item: object) -> bool:
    if not isinstance(item, list) or len(item) != 2:
        return False
    org_id, invoice_id = item
    return (
        isinstance(invoice_id, str)
        and 0 < len(invoice_id) <= _ID_CHARS
        and (org_id is None or (isinstance(org_id, str) and len(org_id) <= _ID_CHARS))
    )
