"""Importing a bank statement: the file read off the event loop, each credit kept once per
organization (docs/reconciliation.md).

A statement imported twice, or two overlapping ones, add each credit once: every line is
inserted with `INSERT ... ON CONFLICT DO NOTHING` on its key. Separate from reading and
deciding lines (reading.py, service.py): it is the one writer of statements and lines.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member
from server.core.errors import ApiError, BadRequest
from server.payments import service as payments
from server.reconciliation.models import BankStatement, StatementLine
from server.reconciliation.reading import ACTION, OPEN, statement
from server.reconciliation.statements import (
    MAX_BYTES,
    Mapping,
    Statement,
    StatementError,
    read_camt053,
    read_csv,
)


class PayloadTooLarge(ApiError):
    status = 413


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """A statement as sent: the body and how to read it (`mapping` for CSV only)."""

    format: str  # "camt.053" or "csv"
    body: bytes
    mapping: Mapping | None = None


def _read(upload: Upload) -> Statement:
    if upload.format == "csv":
        if upload.mapping is None:
            raise StatementError("a CSV statement needs its column mapping", code="bad_mapping")
        return read_csv(upload.body, upload.mapping)
    return read_camt053(upload.body)


async def import_statement(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str,
    upload: Upload,
    ip: str | None,
) -> dict[str, Any]:
    """Import a statement into the organization: its credits not seen before become open
    lines; the statement with its lines and their suggestions. 404 for an organization the
    caller is not in, 403 without `payment.manage`, 400 for a file that cannot be read."""
    async with sessions() as db:
        await acting_member(db, user_id, org_id, Capability.PAYMENT_MANAGE, ACTION)
    if len(upload.body) > MAX_BYTES:  # the body limit cuts first; this guards other callers
        raise PayloadTooLarge(f"request body above {MAX_BYTES} bytes")
    try:
        parsed = await asyncio.to_thread(_read, upload)
    except StatementError as error:
        raise BadRequest(error.message, code=error.code) from None
    now = datetime.now(UTC)
    statement_id = str(uuid.uuid4())
    async with sessions.begin() as db:
        db.add(
            BankStatement(
                id=statement_id,
                org_id=org_id,
                format=parsed.format,
                bank_id=(parsed.bank_id or "")[:35] or None,
                account=(parsed.account or "")[:34] or None,
                added=0,
                known=0,
                debits=parsed.debits,
                imported_by=user_id,
                imported_at=now,
            )
        )
        await db.flush()
        insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        added = 0
        for credit in parsed.credits:
            result = await db.execute(
                insert(StatementLine)
                .values(
                    id=str(uuid.uuid4()),
                    org_id=org_id,
                    statement_id=statement_id,
                    position=credit.position,
                    key=credit.key,
                    booking_date=credit.booking_date.isoformat(),
                    amount=payments.text(credit.amount, credit.currency),
                    currency=credit.currency,
                    reference=credit.reference,
                    structured=credit.structured,
                    debtor=credit.debtor,
                    bank_reference=credit.bank_reference,
                    state=OPEN,
                )
                .on_conflict_do_nothing(index_elements=["org_id", "key"])
            )
            added += max(getattr(result, "rowcount", 0) or 0, 0)
        row = await db.get(BankStatement, statement_id)
        assert row is not None
        row.added, row.known = added, len(parsed.credits) - added
        audit.record(
            db,
            AuditKind.STATEMENT_IMPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"statement {statement_id}",
            detail=(
                f"{parsed.format} {parsed.bank_id or '(no id)'} of {parsed.account or '?'}: "
                f"{added} credits added, {row.known} already imported, "
                f"{parsed.debits} debits or pending entries skipped"
            ),
        )
    return await statement(sessions, user_id=user_id, statement_id=statement_id)
