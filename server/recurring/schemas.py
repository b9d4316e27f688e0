"""Request and response bodies of the recurring-invoice routes: the source of their OpenAPI."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from server.core.api import InvoiceStatus, Model, Timestamp

Frequency = Literal["monthly", "quarterly", "yearly"]
Mode = Literal["draft", "submit"]
DayOfMonth = Annotated[
    int | Literal["last"],
    Field(
        description="the run's day of the month: 1 to 28, or \"last\" (the month's last day: "
        "31 January, 28 or 29 February...)",
        json_schema_extra={"examples": [1, 15, "last"]},
    ),
]
Count = Annotated[int, Field(ge=1, le=1000, description="how many periods in all, at most")]
_DAY_MESSAGE = '`day` must be a day of the month from 1 to 28, or "last" (the month\'s last day)'


def _day(value: Any) -> Any:
    if value == "last" or (type(value) is int and 1 <= value <= 28):
        return value
    raise ValueError(_DAY_MESSAGE)


class ScheduleCreate(Model):
    frequency: Frequency
    day: DayOfMonth
    start: date = Field(description="the first run is the first run date on or after it")
    end: date | None = Field(default=None, description="no run after this day (inclusive)")
    count: Count | None = None
    mode: Mode = Field(
        default="draft",
        description="`draft`: make a draft; `submit`: make it and submit it for approval as "
        "the schedule's owner (kept as a draft, with the reason, when refused)",
    )

    @field_validator("day", mode="before")
    @classmethod
    def _check_day(cls, value: Any) -> Any:
        return _day(value)

    @model_validator(mode="after")
    def _ends_after_start(self) -> ScheduleCreate:
        if self.end is not None and self.end < self.start:
            raise ValueError("`end` must be on or after `start`")
        return self


class ScheduleChange(Model):
    """Only the fields given change; `end` or `count` null removes that bound."""

    frequency: Frequency | None = None
    day: DayOfMonth | None = None
    end: date | None = None
    count: Count | None = None
    mode: Mode | None = None
    status: Literal["active", "paused"] | None = Field(
        default=None, description="`paused`: no draft until resumed (`active`)"
    )

    @field_validator("day", mode="before")
    @classmethod
    def _check_day(cls, value: Any) -> Any:
        return value if value is None else _day(value)

    @model_validator(mode="after")
    def _no_null_terms(self) -> ScheduleChange:
        for name in ("frequency", "day", "mode", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"`{name}` cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class NextRun(BaseModel):
    run_date: str = Field(description="the draft's issue date")
    period_start: str
    period_end: str


class ScheduleOut(BaseModel):
    id: str
    org_id: str
    template_id: str = Field(description="the invoice whose document each draft copies")
    owner_id: str = Field(description="whose change each draft is, and who submits it")
    frequency: Frequency
    day: int | Literal["last"]
    start: str
    end: str | None
    count: int | None
    mode: Mode
    status: Literal["active", "paused", "finished"] = Field(
        description="`finished`: its end or count is reached"
    )
    made: int = Field(description="how many drafts it made")
    next_runs: list[NextRun] = Field(description="the next 3 runs (none while paused or finished)")
    created_at: Timestamp
    updated_at: Timestamp


class ScheduleList(BaseModel):
    items: list[ScheduleOut] = Field(description="newest first")


class RunOut(BaseModel):
    period_start: str
    period_end: str
    run_date: str
    invoice_id: str | None = Field(description="the draft made; null when none was")
    invoice_status: InvoiceStatus | None
    outcome: Literal["pending", "draft", "submitted", "refused", "skipped"] = Field(
        description="`pending`: its content is being written; `refused`: mode submit, the "
        "submission was refused and the draft kept (`reason`); `skipped`: no draft (`reason`)"
    )
    reason: str | None
    created_at: Timestamp


class RunList(BaseModel):
    items: list[RunOut] = Field(description="newest period first")
