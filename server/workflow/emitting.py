"""The domain events of the workflow's transitions (server/events), emitted in the
transition's transaction: submitted (with who may approve), approved, rejected (with the
reason), issued. Reopening and discarding a draft are not events of the contract."""

from __future__ import annotations

import asyncio
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.workflow import Action
from server.auth.service import Capability, Role, can, member_ids, membership
from server.events import service as events
from server.invoices import service as invoices
from server.workflow.settings import Approval

_TYPES: Final = {
    Action.SUBMIT: events.EventType.INVOICE_SUBMITTED,
    Action.APPROVE: events.EventType.INVOICE_APPROVED,
    Action.REJECT: events.EventType.INVOICE_REJECTED,
    Action.ISSUE: events.EventType.INVOICE_ISSUED,
}


async def emit_transition(
    db: AsyncSession,
    *,
    invoice: invoices.Invoice,
    document: dict[str, Any],
    action: Action,
    actor_id: str,
    rules: Approval,
    reason: str | None,
) -> None:
    """After set_state (which updated the loaded row too), in the transition's transaction."""
    type_ = _TYPES.get(action)
    if type_ is None:
        return
    # What the transition was decided on, not the table's columns (their recorder lags).
    extra: dict[str, object] = await asyncio.to_thread(invoices.facts_of, document)
    if action is Action.SUBMIT:
        extra["approver_ids"] = await _approvers(db, invoice, rules)
    if action is Action.REJECT:
        extra["reason"] = reason
    await events.emit(
        db,
        org_id=invoice.org_id,
        type=type_,
        data=events.invoice_data(invoice, **extra),
        actor_id=actor_id,
    )


async def _approvers(db: AsyncSession, invoice: invoices.Invoice, rules: Approval) -> list[str]:
    """The members decide() would let approve: approvers and admins, admins alone above the
    threshold (or when the amount is unknown), never the creator under four-eyes."""
    above = rules.admin_threshold is not None and (
        rules.amount is None or rules.amount > rules.admin_threshold
    )
    found = []
    for user_id in sorted(await member_ids(db, invoice.org_id)):
        member = await membership(db, user_id, invoice.org_id)
        if member is None or not can(member.role, Capability.INVOICE_APPROVE):
            continue
        if (above and member.role is not Role.ADMIN) or (
            rules.four_eyes and user_id == invoice.created_by
        ):
            continue
        found.append(user_id)
    return found
