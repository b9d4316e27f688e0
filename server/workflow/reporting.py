"""The workflow's facts as the reports read them (server/reports): each invoice's log of
moves and its issued document, for a query of invoice ids (`invoices.org_invoice_ids`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.records import Move
from server.workflow.models import Transition, WorkflowState


async def moves_among(db: AsyncSession, invoice_ids: Select[Any]) -> dict[str, list[Move]]:
    """Each invoice's transitions, oldest first (invoices that never moved are absent)."""
    rows = await db.execute(
        select(
            Transition.invoice_id,
            Transition.at,
            Transition.action,
            Transition.from_state,
            Transition.to_state,
        )
        .where(Transition.invoice_id.in_(invoice_ids))
        .order_by(Transition.invoice_id, Transition.at, Transition.id)
    )
    found: dict[str, list[Move]] = defaultdict(list)
    for invoice_id, at, action, from_state, to_state in rows.all():
        found[invoice_id].append(Move(at, action, from_state, to_state))
    return dict(found)


async def workflow_facts(
    db: AsyncSession, invoice_ids: Select[Any]
) -> dict[str, tuple[str | None, dict[str, Any] | None]]:
    """(assignee, issued document) of each invoice that has a workflow row."""
    rows = await db.execute(
        select(
            WorkflowState.invoice_id, WorkflowState.assignee_id, WorkflowState.issued_document
        ).where(WorkflowState.invoice_id.in_(invoice_ids))
    )
    return {invoice_id: (assignee, document) for invoice_id, assignee, document in rows.all()}


async def issued_among(
    db: AsyncSession,
    invoice_ids: Select[Any] | Sequence[str],
    *,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """(issue date, issued document) of each issued invoice among `invoice_ids` (a query of
    ids, or a short list), issued from
    `start` to `end` (ISO dates, both included) when given: the accounting export's sales."""
    query = select(
        WorkflowState.invoice_id, WorkflowState.issue_date, WorkflowState.issued_document
    ).where(
        WorkflowState.invoice_id.in_(invoice_ids),
        WorkflowState.issued_at.is_not(None),
        WorkflowState.issue_date.is_not(None),
    )
    if start is not None:
        query = query.where(WorkflowState.issue_date >= start)
    if end is not None:
        query = query.where(WorkflowState.issue_date <= end)
    rows = await db.execute(query)
    return {invoice_id: (day, document) for invoice_id, day, document in rows.all()}
