"""Request and response bodies of the reminder routes: the source of their OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.core.api import Model, Timestamp

Tone = Literal["friendly", "firm", "final"]


class StepModel(Model):
    days: int = Field(ge=-60, le=365, description="from the due date; negative: before it")
    tone: Tone


class SettingsIn(Model):
    enabled: bool
    steps: list[StepModel] = Field(min_length=1, max_length=10, description="in order")
    late_interest_rate: str | None = Field(
        None,
        pattern=r"^\d{1,2}(\.\d{1,2})?$",
        description="% a year, as the invoices state it (French law: by default the ECB's "
        "refinancing rate + 10 points); null: late reminders show the 40 EUR indemnity alone",
    )


class SettingsOut(SettingsIn):
    opted_out: list[str] = Field(description="catalogue customers who get no scheduled reminder")


class ManualReminder(Model):
    tone: Tone = "firm"
    message: str | None = Field(None, max_length=2000)


class ReminderOut(BaseModel):
    id: str
    step: int | None = Field(description="the schedule's step (1 = first); null: sent by hand")
    days: int
    tone: Tone
    status: Literal["sent", "skipped"]
    reason: str | None = Field(description="why a step was not sent")
    message_id: str | None = Field(description="the e-mail (GET /api/invoices/{id}/messages)")
    outstanding: str
    interest: str = Field(description="late-payment interest shown on it")
    indemnity: str = Field(description="the fixed recovery indemnity shown on it")
    created_by: str | None
    created_at: Timestamp


class ReminderList(BaseModel):
    items: list[ReminderOut] = Field(description="oldest first")
