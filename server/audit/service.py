"""The audit log: every authentication and authorization event, with actor, time, IP and target,
each entry hash-chained to its organization's previous one (chain.py, append.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import append
from server.audit.chain import (
    Break,
    BreakReason,
    EntryFields,
    StoredEntry,
    Verdict,
    Walk,
    chain_key,
)
from server.audit.models import AuditEvent
from server.core import attribution

__all__ = ["AuditKind", "Break", "BreakReason", "Verdict", "chains", "for_org", "record"]
__all__ += ["verify_chain"]

append.install()
VERIFY_BATCH = 1000  # rows read per query while walking a chain: memory stays bounded
# In the order of EntryFields.
FIELD_COLUMNS = (
    AuditEvent.position,
    AuditEvent.at,
    AuditEvent.event,
    AuditEvent.actor_id,
    AuditEvent.org_id,
    AuditEvent.target,
    AuditEvent.ip,
    AuditEvent.detail,
)


class AuditKind(StrEnum):
    LOGIN_OK = "login.ok"
    LOGIN_FAILED = "login.failed"
    LOGIN_THROTTLED = "login.throttled"
    LOGOUT = "logout"
    REFRESH_REUSED = "refresh.reused"
    PASSWORD_CHANGED = "password.changed"
    TOTP_ENROLLED = "totp.enrolled"
    TOTP_DISABLED = "totp.disabled"
    RECOVERY_CODE_USED = "totp.recovery_code_used"
    TOTP_RECOVERY_RENEWED = "totp.recovery_codes_renewed"
    MEMBER_INVITED = "member.invited"
    MEMBER_ADDED = "member.added"
    INVITATION_DECLINED = "member.declined"
    INVITATION_REVOKED = "member.invitation_revoked"
    ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    POLICY_CHANGED = "org.policy_changed"
    ACCESS_DENIED = "access.denied"
    LOCK_BROKEN = "lock.broken"
    PROFILE_CHANGED = "org.profile_changed"
    SERIES_CHANGED = "org.series_changed"
    INVOICE_RESTORED = "invoice.restored"
    INVOICE_TRANSITION = "invoice.transition"
    WORKFLOW_SETTINGS_CHANGED = "org.workflow_changed"
    INVOICE_ASSIGNED = "invoice.assigned"
    INVOICE_VERSION_NAMED = "invoice.version_named"
    CREDIT_NOTE_CREATED = "invoice.credit_note_created"
    INVOICE_CANCELLED = "invoice.cancelled"
    INVOICE_IMPORTED = "invoice.imported"
    INVOICE_EXPORTED = "invoice.exported"
    INVOICE_TRANSMITTED = "invoice.transmitted"
    PRIORITY_WEIGHTS_CHANGED = "org.priority_weights_changed"
    EXCEPTION_OPENED = "invoice.exception_opened"
    EXCEPTION_COMMENTED = "invoice.exception_commented"
    EXCEPTION_RESOLVED = "invoice.exception_resolved"
    EXCEPTION_EXPERTS_CHANGED = "org.exception_experts_changed"
    PAYMENT_RECORDED = "invoice.payment_recorded"
    REFUND_RECORDED = "invoice.refund_recorded"
    INVOICE_SENT = "invoice.sent"
    MAIL_TEMPLATE_CHANGED = "org.mail_template_changed"
    JOB_RETRIED = "org.job_retried"
    RECURRING_CREATED = "org.recurring_created"
    RECURRING_CHANGED = "org.recurring_changed"
    RECURRING_DRAFT = "invoice.recurring_draft"
    RECURRING_SKIPPED = "org.recurring_skipped"
    REMINDER_SENT = "invoice.reminder_sent"
    REMINDERS_CHANGED = "org.reminders_changed"
    PAYMENT_LINK_CREATED = "invoice.payment_link_created"
    PAYMENT_LINK_ROTATED = "invoice.payment_link_rotated"
    CARD_CHECKOUT_STARTED = "invoice.card_checkout_started"
    CARD_EVENT_ATTENTION = "invoice.card_event_attention"
    STATEMENT_IMPORTED = "org.statement_imported"
    STATEMENT_LINE_MATCHED = "invoice.statement_line_matched"
    STATEMENT_LINE_IGNORED = "org.statement_line_ignored"
    API_TOKEN_CREATED = "org.api_token_created"
    API_TOKEN_REVOKED = "org.api_token_revoked"
    API_TOKEN_USED = "api_token.used"  # one per request made with a token
    CHAT_CHANNEL_ADDED = "org.chat_channel_added"
    CHAT_CHANNEL_CHANGED = "org.chat_channel_changed"
    CHAT_CHANNEL_REMOVED = "org.chat_channel_removed"
    CHAT_CHANNEL_TESTED = "org.chat_channel_tested"
    CHAT_CHANNEL_DISABLED = "org.chat_channel_disabled"  # its webhook answered that it is gone
    NOTIFICATION_SETTINGS_CHANGED = "user.notification_settings_changed"
    ACCOUNTING_CHART_CHANGED = "org.accounting_chart_changed"
    ACCOUNTING_EXPORTED = "org.accounting_exported"
    WEBHOOK_CREATED = "org.webhook_created"
    WEBHOOK_CHANGED = "org.webhook_changed"
    WEBHOOK_DELETED = "org.webhook_deleted"
    WEBHOOK_SECRET_ROTATED = "org.webhook_secret_rotated"
    WEBHOOK_ENABLED = "org.webhook_enabled"
    WEBHOOK_DISABLED = "org.webhook_disabled"  # by an admin, or by us: failing, or 410 Gone
    WEBHOOK_REPLAYED = "org.webhook_replayed"
    WEBHOOK_TESTED = "org.webhook_tested"
    CUSTOMER_FILE_UPLOADED = "org.customer_file_uploaded"
    CUSTOMERS_IMPORTED = "org.customers_imported"
    CUSTOMERS_EXPORTED = "org.customers_exported"
    TIME_FILE_UPLOADED = "org.time_file_uploaded"
    TIME_ENTRIES_IMPORTED = "invoice.time_entries_imported"


def record(
    db: AsyncSession,
    kind: AuditKind,
    *,
    actor_id: str | None,
    ip: str | None,
    target: str | None = None,
    org_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Add an event to the caller's transaction (it is written when that commits). It is
    chained to its organization's previous entry when the session flushes (append.py). In a
    request made with an API token, `detail` says "via token <name>" (core/attribution.py)."""
    detail = attribution.stamp(detail)
    db.add(
        AuditEvent(
            at=datetime.now(UTC),
            event=kind.value,
            actor_id=actor_id,
            org_id=org_id,
            target=target[:400] if target else None,
            ip=ip,
            detail=detail[:400] if detail else None,
        )
    )


async def for_org(
    db: AsyncSession, org_id: str, *, member_ids: Collection[str], limit: int
) -> list[AuditEvent]:
    """The organization's events plus the sign-in events of `member_ids` (its current members,
    which the caller gets from auth's service), newest first."""
    query = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.org_id == org_id,
                and_(AuditEvent.org_id.is_(None), AuditEvent.actor_id.in_(list(member_ids))),
            )
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(await db.scalars(query))


async def _entries(db: AsyncSession, chain: str) -> AsyncIterator[StoredEntry]:
    columns = (AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, *FIELD_COLUMNS)
    after = 0
    while True:
        query = (
            select(*columns)
            .where(append.in_chain(chain), AuditEvent.position > after)
            .order_by(AuditEvent.position, AuditEvent.id)
            .limit(VERIFY_BATCH)
        )
        rows = (await db.execute(query)).all()
        for id_, prev_hash, hash_, *fields in rows:
            yield StoredEntry(id_, EntryFields(*fields), prev_hash, hash_)
        if len(rows) < VERIFY_BATCH:
            return
        after = rows[-1].position


async def verify_chain(db: AsyncSession, *, org_id: str | None) -> Verdict:
    """Walk the chain of `org_id` (None: the global chain) and report its first broken link."""
    walk = Walk(org_id=org_id)
    async for entry in _entries(db, chain_key(org_id)):
        if not walk.step(entry):
            break
    return walk.verdict()


async def chains(db: AsyncSession) -> list[str | None]:
    """Every chain that has entries: organization ids, and None for the global chain."""
    key = func.coalesce(AuditEvent.org_id, literal_column("''"))
    found = await db.scalars(select(key).distinct().order_by(key))
    return [org or None for org in found]
