"""Request and response bodies of the transitions route: the source of its OpenAPI description."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from server.core.api import Model

# The states of collab.invoice.workflow.State (tests/test_workflow_api.py checks they agree).
Status = Literal[
    "draft", "submitted", "approved", "issued", "partially_paid", "paid", "cancelled", "discarded"
]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]

ActionName = Literal["submit", "approve", "reject", "issue", "reopen", "discard"]


class TransitionRequest(Model):
    action: ActionName
    reason: Annotated[str | None, Field(max_length=2000, description="why: required to reject")] = (
        None
    )
    version: Annotated[
        int | None,
        Field(
            ge=0,
            le=2**31 - 1,
            description="the workflow version the client decided on; 409 when it moved since",
        ),
    ] = None


class WorkflowStateOut(BaseModel):
    """The invoice's state after the transition."""

    id: str
    status: Status
    number: str | None = Field(description="the legal number; null until issued")
    version: int = Field(description="moves by one with every transition")
    assignee_id: str | None = Field(description="who should act next; null: any approver")
    issue_date: str | None = Field(description="set at issue")
    issued_at: Timestamp | None
    approved_by: str | None
    seller: dict[str, Any] | None = Field(description="the seller profile stamped at issue")
