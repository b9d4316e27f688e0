"""Request and response bodies of the workflow routes: the source of its OpenAPI description."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from collab.invoice.currencies import MINOR_UNITS
from server.core.api import InvoiceStatus, Model, Timestamp

Status = InvoiceStatus

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


class CreditedRef(BaseModel):
    id: str
    number: str | None
    issue_date: str | None


class WorkflowOverview(WorkflowStateOut):
    """The invoice's workflow as the caller sees it."""

    kind: Literal["invoice", "credit_note"]
    ever_submitted: bool = Field(description="submitted at least once (then never discarded)")
    actions: list[ActionName | Literal["credit_note"]] = Field(
        description="what this caller may take now, as far as people and settings go (role, "
        "four-eyes, admin threshold, discard); the content is checked when the action is "
        "taken. `credit_note`: POST /api/invoices/{id}/credit-notes would make one"
    )
    next_number: str | None = Field(
        description="the number an issue now would take (when `issue` is offered); another "
        "issue may take it first"
    )
    credits: CreditedRef | None = Field(description="for a credit note: the invoice it credits")


# -- organization settings, assignee, named versions ------------------------------------------


class ThresholdModel(Model):
    amount: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=r"^\d{1,13}(\.\d{1,4})?$"),
        Field(description="gross amount, a decimal string", examples=["5000.00"]),
    ]
    currency: Annotated[str, Field(description="ISO 4217", examples=["EUR"])]

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value not in MINOR_UNITS:
            raise ValueError(f"{value!r} is not an ISO 4217 currency Cofacture invoices in")
        return value


class WorkflowSettingsModel(Model):
    """An organization's approval rules (docs/workflow.md)."""

    four_eyes: bool = Field(default=True, description="the creator of an invoice cannot approve it")
    admin_threshold: ThresholdModel | None = Field(
        default=None,
        description="above this gross only an admin approves; an invoice in another currency "
        "always needs an admin; null: no threshold",
    )


class AssigneeRequest(Model):
    user_id: Annotated[str | None, Field(max_length=36, description="a member; null: nobody")]


class AssigneeOut(BaseModel):
    id: str
    assignee_id: str | None


class VersionRequest(Model):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class VersionAuthor(BaseModel):
    id: str
    name: str


class VersionOut(BaseModel):
    id: int
    name: str
    kind: Literal["auto", "manual"] = Field(description="auto: taken at submit or approve")
    seq: int = Field(description="the update log entry it names: restore with this seq")
    author: VersionAuthor
    at: Timestamp


class VersionList(BaseModel):
    items: list[VersionOut] = Field(description="newest first")
