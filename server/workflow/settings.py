"""An organization's workflow settings: four-eyes (on by default) and the admin approval
threshold (none by default), and what they give `decide()`'s Context for one invoice.

The threshold has a currency. An invoice in another currency, or whose gross the money engine
cannot compute, is treated as above it (fail closed): only an admin approves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.validation import evaluate
from server.audit import service as audit
from server.audit.service import AuditKind
from server.workflow.models import WorkflowSettings


@dataclass(frozen=True, slots=True)
class Threshold:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True, slots=True)
class Settings:
    four_eyes: bool = True
    admin_threshold: Threshold | None = None

    def as_dict(self) -> dict[str, Any]:
        threshold = self.admin_threshold
        return {
            "four_eyes": self.four_eyes,
            "admin_threshold": None
            if threshold is None
            else {"amount": str(threshold.amount), "currency": threshold.currency},
        }


DEFAULTS = Settings()


async def read_settings(db: AsyncSession, org_id: str) -> Settings:
    """The organization's settings; the defaults while an admin has set none."""
    row = await db.get(WorkflowSettings, org_id)
    return DEFAULTS if row is None else _of(row)


def _of(row: WorkflowSettings) -> Settings:
    threshold = None
    if row.threshold_amount is not None and row.threshold_currency is not None:
        threshold = Threshold(Decimal(row.threshold_amount), row.threshold_currency)
    return Settings(four_eyes=row.four_eyes, admin_threshold=threshold)


async def save_settings(
    db: AsyncSession, *, org_id: str, actor_id: str, ip: str | None, new: Settings
) -> Settings:
    """Replace the settings in the caller's transaction; a change is audited as
    `org.workflow_changed` (old -> new), saving identical settings records nothing."""
    # Created if missing, then locked: two admins saving at once never collide on the key,
    # and each compares with what the other wrote.
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        insert(WorkflowSettings).values(org_id=org_id, four_eyes=True).on_conflict_do_nothing()
    )
    query = select(WorkflowSettings).where(WorkflowSettings.org_id == org_id).with_for_update()
    row = (await db.scalars(query.execution_options(populate_existing=True))).one()
    old = _of(row)
    if old == new:
        return new
    threshold = new.admin_threshold
    row.four_eyes = new.four_eyes
    row.threshold_amount = None if threshold is None else str(threshold.amount)
    row.threshold_currency = None if threshold is None else threshold.currency
    row.updated_by, row.updated_at = actor_id, datetime.now(UTC)
    changes = []
    if old.four_eyes != new.four_eyes:
        changes.append(f"four_eyes: {_on(old.four_eyes)} -> {_on(new.four_eyes)}")
    if old.admin_threshold != new.admin_threshold:
        changes.append(f"admin_threshold: {old.admin_threshold or 'none'} -> {threshold or 'none'}")
    audit.record(
        db,
        AuditKind.WORKFLOW_SETTINGS_CHANGED,
        actor_id=actor_id,
        ip=ip,
        org_id=org_id,
        target=f"org {org_id}",
        detail="; ".join(changes),
    )
    await db.flush()
    return new


def _on(value: bool) -> str:
    return "on" if value else "off"


@dataclass(frozen=True, slots=True)
class Approval:
    """The part of decide()'s Context the settings give for one document."""

    four_eyes: bool
    amount: Decimal | None
    admin_threshold: Decimal | None


def approval_context(settings: Settings, document: dict[str, Any]) -> Approval:
    """Four-eyes as set; the amount is the document's gross in its own currency, compared with
    the threshold only when the currencies match. Otherwise (another currency, no computable
    gross) the amount is unknown, which `decide` treats as above the threshold."""
    threshold = settings.admin_threshold
    if threshold is None:
        return Approval(settings.four_eyes, None, None)
    totals = evaluate(document).totals
    amount: Decimal | None = None
    if totals is not None and totals["currency"] == threshold.currency:
        amount = Decimal(str(totals["gross"]))
    return Approval(settings.four_eyes, amount, threshold.amount)
