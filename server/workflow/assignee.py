"""Who should act next on an invoice: set by the transitions (docs/workflow.md, "As built") and
by hand, `PUT /api/invoices/{id}/assignee`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.workflow import TABLE, Action, Role, State
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, membership
from server.core import changes
from server.core.errors import BadRequest, Conflict, Forbidden
from server.invoices import service as invoices
from server.workflow.locking import lock_row
from server.workflow.models import WorkflowState


def can_act(state: State, role: Role) -> bool:
    """Whether the workflow table lets `role` take any action from `state`."""
    return any(TABLE[(state, action, role)].allowed for action in Action)


async def assignees(db: AsyncSession, invoice_ids: list[str]) -> dict[str, str | None]:
    """The assignee of each of `invoice_ids` that has one (for the invoices' summaries)."""
    if not invoice_ids:
        return {}
    rows = await db.execute(
        select(WorkflowState.invoice_id, WorkflowState.assignee_id).where(
            WorkflowState.invoice_id.in_(invoice_ids), WorkflowState.assignee_id.is_not(None)
        )
    )
    return {invoice_id: assignee for invoice_id, assignee in rows.all()}


async def assignees_among(db: AsyncSession, invoice_ids: Select[str]) -> dict[str, str]:
    """`assignees` for a query of ids (a whole board's worth needs no parameter list)."""
    rows = await db.execute(
        select(WorkflowState.invoice_id, WorkflowState.assignee_id).where(
            WorkflowState.invoice_id.in_(invoice_ids), WorkflowState.assignee_id.is_not(None)
        )
    )
    return {invoice_id: assignee for invoice_id, assignee in rows.all() if assignee}


async def set_assignee(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    assignee_id: str | None,
    ip: str | None,
) -> dict[str, Any]:
    """Editors and above set (or clear, with None) who should act next. The assignee must be a
    member of the invoice's organization whose role may take an action from the invoice's
    current state: 400 `not_member`, 409 `cannot_act`. A change is audited as
    `invoice.assigned`; setting the current assignee again records nothing."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
    if not found.can(Capability.INVOICE_EDIT):
        raise Forbidden("only editors, approvers and admins set the assignee")
    async with sessions.begin() as db:
        row = await lock_row(db, found.invoice.id)
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.INVOICE_EDIT):
            raise Forbidden("only editors, approvers and admins set the assignee")
        invoice = found.invoice
        if assignee_id is not None:
            member = await membership(db, assignee_id, invoice.org_id)
            if member is None:
                raise BadRequest(
                    "the assignee is not a member of the invoice's organization", code="not_member"
                )
            state = State(invoice.status)
            if not can_act(state, Role(member.role.value)):
                raise Conflict(
                    f"a {member.role} cannot act on a {state} invoice", code="cannot_act"
                )
        if row.assignee_id != assignee_id:
            audit.record(
                db,
                AuditKind.INVOICE_ASSIGNED,
                actor_id=user_id,
                ip=ip,
                org_id=invoice.org_id,
                target=f"invoice {invoice.id}",
                detail=f"{row.assignee_id or 'nobody'} -> {assignee_id or 'nobody'}",
            )
            row.assignee_id = assignee_id
            changes.after_commit(db, invoice.org_id, invoice.id)
        await db.flush()
    return {"id": invoice.id, "assignee_id": assignee_id}
