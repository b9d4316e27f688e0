"""The e-invoicing outbox: issued invoices queued in their issue's transaction, delivered at
least once to each configured platform adapter by a dispatcher with leases and backoff.

- `configure(adapters)` at assembly: which adapters exist (none: nothing is queued);
  `queue_at_issue` is the workflow's issued hook that writes the outbox rows.
- `Dispatcher` claims due rows (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several processes
  share the work without taking the same row; SQLite has one writer), hands each to its adapter
  and records the answer. A `sending` row whose lease ran out (a process died mid-send) is due
  again: delivery is at least once, which is why adapters are idempotent on the submission key.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Final

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.en16931 import to_cii, to_semantic
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability
from server.core.errors import Conflict, Forbidden
from server.core.polling import Poller
from server.exports import service as exports
from server.invoices import service as invoices
from server.platforms.adapters import Adapter, Submission, TransmissionError
from server.platforms.models import Transmission
from server.workflow import service as workflow

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_ATTEMPTS: Final = 10
BASE_DELAY_SECONDS: Final = 30.0  # then doubling: 30 s, 1 min, 2 min, ... capped at an hour
MAX_DELAY_SECONDS: Final = 3600.0
LEASE_SECONDS: Final = 300.0  # a send that takes longer is presumed dead and tried again
BATCH: Final = 10

_adapters: dict[str, Adapter] = {}


def configure(adapters: Mapping[str, Adapter]) -> None:
    """The adapters of this process (replacing any before); none means no platform."""
    _adapters.clear()
    _adapters.update(adapters)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=min(BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS))


async def queue_at_issue(db: AsyncSession, invoice_id: str, org_id: str) -> None:
    """The issued hook: one pending transmission per configured adapter, in the issue's
    transaction (so the outbox row is committed exactly when the issue is)."""
    for name in _adapters:
        _queue(db, invoice_id=invoice_id, org_id=org_id, adapter=name)


def _queue(db: AsyncSession, *, invoice_id: str, org_id: str, adapter: str) -> Transmission:
    now = datetime.now(UTC)
    row = Transmission(
        id=str(uuid.uuid4()),
        invoice_id=invoice_id,
        org_id=org_id,
        adapter=adapter,
        status=PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    return row


async def listing(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> list[dict[str, Any]]:
    """An invoice's transmissions, for whoever reads the invoice."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        rows = await db.scalars(
            select(Transmission)
            .where(Transmission.invoice_id == found.invoice.id)
            .order_by(Transmission.created_at)
        )
        return [_json(row) for row in rows]


async def requeue(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, invoice_id: str
) -> list[dict[str, Any]]:
    """Queue an issued invoice for every configured platform now: a failed transmission is tried
    again, a missing one is made (an invoice issued before the platform was configured); one
    already sent or on its way is left as it is. Admins only."""
    if not _adapters:
        raise Conflict("no e-invoicing platform is configured", code="no_platform")
    async with sessions.begin() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.ORG_SETTINGS):
            raise Forbidden(f"a {found.member.role} cannot hand invoices to a platform")
        invoice = found.invoice
        if invoice.number is None:
            raise Conflict("only issued invoices are transmitted", code="not_issued")
        rows = {
            row.adapter: row
            for row in await db.scalars(
                select(Transmission).where(Transmission.invoice_id == invoice.id)
            )
        }
        now = datetime.now(UTC)
        queued = []
        for name in _adapters:
            row = rows.get(name)
            if row is None:
                rows[name] = _queue(db, invoice_id=invoice.id, org_id=invoice.org_id, adapter=name)
                queued.append(name)
            elif row.status == FAILED:
                row.status, row.next_attempt_at, row.updated_at = PENDING, None, now
                queued.append(name)
        if queued:
            audit.record(
                db,
                AuditKind.INVOICE_TRANSMITTED,
                actor_id=user_id,
                ip=None,
                org_id=invoice.org_id,
                target=f"invoice {invoice.id}",
                detail=f"queued again for {', '.join(queued)}",
            )
        await db.flush()
        return [_json(row) for row in rows.values()]


def _json(row: Transmission) -> dict[str, Any]:
    return {
        "id": row.id,
        "adapter": row.adapter,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "external_id": row.external_id,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
    }


class Dispatcher(Poller):
    """Delivers due transmissions in the background, every `interval` seconds or when nudged."""

    batch = BATCH
    name = "e-invoicing dispatcher"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, interval: float = 5.0):
        super().__init__(interval=interval)
        self._sessions = sessions

    async def __aenter__(self) -> Dispatcher:
        if _adapters:
            self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim and deliver what is due; how many were claimed."""
        now = now or datetime.now(UTC)
        claimed = await self._claim(now)
        for row_id, attempts in claimed:
            await self._deliver(row_id, attempts)
        return len(claimed)

    async def _claim(self, now: datetime) -> list[tuple[str, int]]:
        async with self._sessions.begin() as db:
            query = (
                select(Transmission)
                .where(
                    Transmission.status.in_((PENDING, SENDING)),
                    Transmission.adapter.in_(list(_adapters)),
                    or_(
                        Transmission.next_attempt_at.is_(None), Transmission.next_attempt_at <= now
                    ),
                )
                .order_by(Transmission.created_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            seen = [(row.id, row.attempts) for row in await db.scalars(query)]
            claimed = []
            for row_id, attempts in seen:
                # Conditional: SQLite reads before it takes its write lock, so another process
                # may have claimed the row since; only the update that still finds it wins.
                done = await db.execute(
                    update(Transmission)
                    .where(Transmission.id == row_id, Transmission.attempts == attempts)
                    .values(
                        status=SENDING,
                        attempts=attempts + 1,
                        next_attempt_at=now + timedelta(seconds=LEASE_SECONDS),
                        updated_at=now,
                    )
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append((row_id, attempts + 1))
            return claimed

    async def _deliver(self, row_id: str, attempts: int) -> None:
        async with self._sessions() as db:
            row = await db.get(Transmission, row_id)
            assert row is not None
            adapter = _adapters[row.adapter]
            try:
                submission = await _submission(db, row)
            except Exception as exc:  # an invoice we cannot render: say so, do not spin on it
                log.exception("transmission %s cannot be prepared", row_id)
                await self._finish(row_id, attempts, error=f"cannot prepare: {exc}", retry=False)
                return
        try:
            receipt = await adapter.transmit(submission)
        except TransmissionError as exc:
            await self._finish(row_id, attempts, error=str(exc), retry=exc.retry)
            return
        await self._finish(row_id, attempts, external_id=receipt.external_id)

    async def _finish(
        self,
        row_id: str,
        attempts: int,
        *,
        external_id: str | None = None,
        error: str | None = None,
        retry: bool = False,
    ) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {"updated_at": now, "last_error": error}
        if error is None:
            values |= {"status": SENT, "external_id": external_id, "next_attempt_at": None}
        elif retry and attempts < MAX_ATTEMPTS:
            values |= {"status": PENDING, "next_attempt_at": now + backoff(attempts)}
        else:
            values |= {"status": FAILED, "next_attempt_at": None}
        async with self._sessions.begin() as db:
            # Only while the row is still this claim's: a lease that ran out was claimed again.
            done = await db.execute(
                update(Transmission)
                .where(Transmission.id == row_id, Transmission.attempts == attempts)
                .values(**values)
            )
            if done.rowcount == 1 and values["status"] in (SENT, FAILED):  # type: ignore[attr-defined]
                row = await db.get(Transmission, row_id)
                assert row is not None
                outcome = f"sent as {external_id}" if error is None else f"failed: {error}"
                audit.record(
                    db,
                    AuditKind.INVOICE_TRANSMITTED,
                    actor_id=None,
                    ip=None,
                    org_id=row.org_id,
                    target=f"invoice {row.invoice_id}",
                    detail=f"{row.adapter}: {outcome} (attempt {attempts})",
                )


async def _submission(db: AsyncSession, row: Transmission) -> Submission:
    """The issued invoice as CII, from the document exactly as issued and its stamp."""
    invoice = await invoices.get(db, row.invoice_id)
    stamp = await workflow.issued(db, row.invoice_id)
    if invoice.number is None or stamp is None or stamp.document is None:
        raise ValueError("the invoice has no issued document")
    type_code, preceding = await exports.document_type(db, invoice_id=invoice.id)
    # Mapping and writing the XML are CPU work: in a worker thread, off the event loop.
    semantic = await asyncio.to_thread(
        partial(
            to_semantic,
            dict(stamp.document),
            number=invoice.number,
            issue_date=stamp.issue_date,
            seller=stamp.seller,
            type_code=type_code,
            preceding=preceding,
        )
    )
    return Submission(
        key=row.id,
        invoice_id=invoice.id,
        org_id=invoice.org_id,
        number=invoice.number,
        syntax="cii",
        xml=await asyncio.to_thread(to_cii, semantic),
    )
