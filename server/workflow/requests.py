"""What the workflow's transitions share with its callers: the request as a client makes it,
what each action needs of an API token, and the HTTP face of the pure decision (its error, the
state's JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.invoice.workflow import (
    Action,
    Category,
    Context,
    Decision,
    Role,
    State,
    decide,
)
from server.auth.service import Capability
from server.core.errors import ApiError, BadRequest, Conflict, Forbidden
from server.workflow.models import WorkflowState

_ERRORS: dict[Category, type[ApiError]] = {
    Category.FORBIDDEN: Forbidden,
    Category.CONFLICT: Conflict,
    Category.INVALID: BadRequest,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One transition as the client asked for it."""

    user_id: str
    invoice_id: str
    action: Action
    reason: str | None = None
    version: int | None = None
    ip: str | None = None


def refusal_error(decision: Decision) -> ApiError:
    """The HTTP error of a refused decision: its category gives the status, its kind the code."""
    assert decision.refusal is not None and decision.category is not None
    details = [(path, "must be fixed first") for path in decision.details]
    return _ERRORS[decision.category](
        decision.message, code=decision.refusal.value, details=details or None
    )


# What each action needs of an API token's scopes.
TOKEN_NEEDS = {
    Action.SUBMIT: Capability.INVOICE_SUBMIT,
    Action.APPROVE: Capability.INVOICE_APPROVE,
    Action.REJECT: Capability.INVOICE_APPROVE,
    Action.ISSUE: Capability.INVOICE_ISSUE,
    Action.REOPEN: Capability.INVOICE_EDIT,
    Action.DISCARD: Capability.INVOICE_EDIT,
}


def checked_decision(state: State, action: Action, role: Role, context: Context) -> Decision:
    decision = decide(state, action, role, context)
    if not decision.allowed:
        raise refusal_error(decision)
    return decision


def next_assignee(action: Action, *, actor: str, creator: str) -> str | None:
    """Who should act next: after a submit any approver (none in particular); after an approval
    the approver, who usually issues; after a rejection the invoice's creator, to fix it."""
    if action is Action.APPROVE:
        return actor
    if action is Action.REJECT:
        return creator
    return None


def state_json(
    invoice_id: str, status: str, number: str | None, row: WorkflowState
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "status": status,
        "number": number,
        "version": row.version,
        "assignee_id": row.assignee_id,
        "issue_date": row.issue_date,
        "issued_at": row.issued_at.isoformat() if row.issued_at else None,
        "approved_by": row.approved_by,
        "seller": row.seller,
    }
