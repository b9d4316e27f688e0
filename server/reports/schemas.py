"""Request and response bodies of the KPI and report routes: the source of their OpenAPI.
Amounts and rates are decimal strings (exact); a value that cannot be computed is null."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.core.api import Model

ReportName = Literal[
    "aged_receivables",
    "revenue_by_customer",
    "revenue_by_month",
    "vat_collected",
    "invoices_by_status",
]
Decimal = Annotated[str, Field(description="a decimal string, exact")]
Hours = Annotated[str | None, Field(description="hours, two decimals; null: nothing to average")]


class Period(Model):
    org: str | None = Field(None, description="the organization; needed when in several")
    from_: dt.date | None = Field(
        None, alias="from", description="first day, included (default: first of `to`'s month)"
    )
    to: dt.date | None = Field(None, description="last day, included (default: today, UTC)")


class ReportQuery(Period):
    format: Literal["json", "csv", "xlsx"] = "json"


class Heading(BaseModel):
    org_id: str
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    as_of: str = Field(
        description="the day snapshots are taken: `to`, or today if `to` is later",
        json_schema_extra={"format": "date"},
    )


class Stages(BaseModel):
    draft: Hours
    submitted: Hours
    approved: Hours


class ProcessingTime(BaseModel):
    definition: str
    invoices: int = Field(description="invoices issued in the period (the average's count)")
    hours: Hours
    stages: Stages


class RateKpi(BaseModel):
    definition: str
    value: str | None = Field(description="percent, two decimals; null when nothing to divide by")
    numerator: int
    denominator: int


class PendingKpi(BaseModel):
    definition: str
    value: None
    note: str


class CurrencyAmount(BaseModel):
    currency: str
    amount: Decimal
    invoices: int


class OverdueKpi(BaseModel):
    definition: str
    amounts: list[CurrencyAmount] = Field(description="per currency, never added together")


class Person(BaseModel):
    id: str
    name: str


class WaitingRow(BaseModel):
    assignee: Person | None = Field(description="null: no one (any approver, when submitted)")
    draft: int
    submitted: int
    approved: int
    total: int


class WorkWaiting(BaseModel):
    definition: str
    people: list[WaitingRow] = Field(description="most work first")


class CategoryRow(BaseModel):
    category: str
    opened: int
    resolved: int
    open: int


class ExceptionsKpi(BaseModel):
    definition: str
    categories: list[CategoryRow]


class Kpis(Heading):
    processing_time: ProcessingTime
    first_time_right: RateKpi
    rejection_rate: RateKpi
    error_rate: RateKpi
    payment_delay: PendingKpi
    dso: PendingKpi
    overdue_amount: OverdueKpi
    work_waiting: WorkWaiting
    exceptions_by_category: ExceptionsKpi


class AgedRow(BaseModel):
    currency: str
    bucket: Literal["not_due", "0-30", "31-60", "61-90", "90+"]
    invoices: int
    amount: Decimal


class CustomerRow(BaseModel):
    customer: str
    currency: str
    invoices: int
    credit_notes: int
    net: Decimal


class MonthRow(BaseModel):
    month: str = Field(description="YYYY-MM of the issue date")
    currency: str
    invoices: int
    credit_notes: int
    net: Decimal


class VatRow(BaseModel):
    month: str = Field(description="YYYY-MM of the issue date")
    currency: str
    category: str = Field(description="VAT category code (UNCL5305)")
    rate: Decimal
    base: Decimal
    amount: Decimal


class StatusRow(BaseModel):
    kind: Literal["invoice", "credit_note"]
    status: str
    currency: str
    count: int
    gross: Decimal


class _Report(Heading):
    definition: str
    columns: list[str] = Field(description="the rows' keys in order: the CSV and XLSX header")


class AgedReceivables(_Report):
    name: Literal["aged_receivables"]
    rows: list[AgedRow]


class RevenueByCustomer(_Report):
    name: Literal["revenue_by_customer"]
    rows: list[CustomerRow]


class RevenueByMonth(_Report):
    name: Literal["revenue_by_month"]
    rows: list[MonthRow]


class VatCollected(_Report):
    name: Literal["vat_collected"]
    rows: list[VatRow]


class InvoicesByStatus(_Report):
    name: Literal["invoices_by_status"]
    rows: list[StatusRow]


Report = Annotated[
    AgedReceivables | RevenueByCustomer | RevenueByMonth | VatCollected | InvoicesByStatus,
    Field(discriminator="name"),
]
