"""KPIs and reports of an organization over a period (issue 14): the features' facts, read
through their services, made into records and handed to the pure arithmetic of
`collab.invoice.kpis` and `collab.invoice.reports`.

Who may read them: every member of the organization (`invoice.read`). SPEC section 1 gives
viewers "invoices, the board and reports"; the KPIs are the board's figures.

The database reads are a handful of queries; building the records (the money engine's VAT
breakdown of each issued document) and the arithmetic run in a worker thread, so a large
organization's report never stalls the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice import kpis as kpi_rules
from collab.invoice import reports as report_rules
from collab.invoice.records import ExceptionRecord, InvoiceRecord, Move, Period
from server.auth.service import Capability, acting_member, users_by_id
from server.core.errors import BadRequest
from server.credit_notes import service as credit_notes
from server.exceptions import service as exceptions
from server.invoices import service as invoices
from server.payments import service as payments
from server.reports import files
from server.reports.records import Row, build
from server.workflow import service as workflow

NAMES = tuple(report_rules.REPORTS)
FORMATS = ("json", "csv", "xlsx")


@dataclass(frozen=True, slots=True)
class Facts:
    org_id: str
    period: Period
    records: list[InvoiceRecord]
    exceptions: list[ExceptionRecord]


def period_of(start: date | None, end: date | None, today: date | None = None) -> Period:
    """`end` defaults to today (UTC), `start` to the first day of `end`'s month."""
    today = today or datetime.now(UTC).date()
    end = end or today
    start = start or end.replace(day=1)
    if start > end:
        raise BadRequest("`from` is after `to`")
    return Period(start, end, today)


Gathered = tuple[
    list[Row],
    dict[str, list[Move]],
    dict[str, tuple[str | None, dict[str, Any] | None]],
    dict[str, tuple[str, Decimal | None]],
    dict[str, Decimal],
    list[ExceptionRecord],
]


async def _gather(db: AsyncSession, org_id: str, *, with_exceptions: bool) -> Gathered:
    rows = [
        Row(
            r.id,
            r.kind,
            r.status,
            r.number,
            r.created_at,
            r.currency,
            r.customer_name or "",
            r.net,
            r.gross,
            r.issue_date,
            r.due_date,
        )
        for r in await invoices.org_invoices(db, org_id)
    ]
    ids = invoices.org_invoice_ids(org_id)
    moves = await workflow.moves_among(db, ids)
    facts = await workflow.workflow_facts(db, ids)
    credits = await credit_notes.credits_among(db, ids)
    paid = await payments.paid_among(db, org_id)
    found = await exceptions.records(db, org_id) if with_exceptions else []
    return rows, moves, facts, credits, paid, found


async def facts(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str | None,
    start: date | None,
    end: date | None,
    with_exceptions: bool = False,
) -> Facts:
    """The organization's records, read in one transaction and built off the event loop."""
    period = period_of(start, end)
    async with sessions() as db:
        member = await acting_member(db, user_id, org_id, Capability.INVOICE_READ, "read reports")
        rows, moves, found, credits, paid, raised = await _gather(
            db, member.org_id, with_exceptions=with_exceptions
        )
    records = await asyncio.to_thread(build, rows, moves, found, credits, paid)
    return Facts(member.org_id, period, records, raised)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate(rate: kpi_rules.Rate, key: str) -> dict[str, Any]:
    return {
        "definition": kpi_rules.DEFINITIONS[key],
        "value": _text(rate.value),
        "numerator": rate.numerator,
        "denominator": rate.denominator,
    }


def _needs_payments(key: str) -> dict[str, Any]:
    return {
        "definition": kpi_rules.DEFINITIONS[key],
        "value": None,
        "note": kpi_rules.NEEDS_PAYMENTS,
    }


async def kpis(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str | None,
    start: date | None,
    end: date | None,
) -> dict[str, Any]:
    found = await facts(
        sessions, user_id=user_id, org_id=org_id, start=start, end=end, with_exceptions=True
    )
    result = await asyncio.to_thread(
        kpi_rules.compute, found.records, found.exceptions, found.period
    )
    async with sessions() as db:
        people = await users_by_id(db, {w.assignee_id for w in result.waiting if w.assignee_id})
    processing = result.processing
    return {
        **_heading(found),
        "processing_time": {
            "definition": kpi_rules.DEFINITIONS["processing_time"],
            "invoices": processing.invoices,
            "hours": _text(processing.hours),
            "stages": {stage: _text(hours) for stage, hours in processing.stages.items()},
        },
        "first_time_right": _rate(result.first_time_right, "first_time_right"),
        "rejection_rate": _rate(result.rejection_rate, "rejection_rate"),
        "error_rate": _rate(result.error_rate, "error_rate"),
        "payment_delay": _needs_payments("payment_delay"),
        "dso": _needs_payments("dso"),
        "overdue_amount": {
            "definition": kpi_rules.DEFINITIONS["overdue_amount"],
            "amounts": [
                {"currency": a.currency, "amount": str(a.amount), "invoices": a.invoices}
                for a in result.overdue
            ],
        },
        "work_waiting": {
            "definition": kpi_rules.DEFINITIONS["work_waiting"],
            "people": [
                {
                    "assignee": None
                    if w.assignee_id is None
                    else {
                        "id": w.assignee_id,
                        "name": people[w.assignee_id].name if w.assignee_id in people else "",
                    },
                    "draft": w.draft,
                    "submitted": w.submitted,
                    "approved": w.approved,
                    "total": w.total,
                }
                for w in result.waiting
            ],
        },
        "exceptions_by_category": {
            "definition": kpi_rules.DEFINITIONS["exceptions_by_category"],
            "categories": [asdict(c) for c in result.exceptions],
        },
    }


def _heading(found: Facts) -> dict[str, Any]:
    return {
        "org_id": found.org_id,
        "from": found.period.start.isoformat(),
        "to": found.period.end.isoformat(),
        "as_of": found.period.as_of.isoformat(),
    }


def _row_json(row: report_rules.Row) -> dict[str, Any]:
    return {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in asdict(row).items()
    }


@dataclass(frozen=True, slots=True)
class File:
    content: bytes
    media_type: str
    filename: str


async def report(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str | None,
    name: str,
    start: date | None,
    end: date | None,
) -> dict[str, Any]:
    """The report `name` as JSON: its heading, definition, columns and rows."""
    if name not in report_rules.REPORTS:
        raise BadRequest(f"no report named {name!r}: one of {', '.join(NAMES)}")
    found = await facts(sessions, user_id=user_id, org_id=org_id, start=start, end=end)
    rows = await asyncio.to_thread(report_rules.REPORTS[name], found.records, found.period)
    row_type = report_rules.ROW_TYPES[name]
    return {
        "name": name,
        **_heading(found),
        "definition": report_rules.DEFINITIONS[name],
        "columns": [f.name for f in fields(row_type)],
        "rows": [_row_json(row) for row in rows],
    }


def _numeric(name: str) -> set[str]:
    """The columns of a report that hold decimals (amounts, rates)."""
    row_type = report_rules.ROW_TYPES[name]
    return {f.name for f in fields(row_type) if f.type in (Decimal, "Decimal")}


async def download(answer: dict[str, Any], file_format: str) -> File:
    """A report's JSON answer as a CSV or XLSX file with the same columns and values."""
    name, columns, rows = answer["name"], answer["columns"], answer["rows"]
    stem = f"{name}_{answer['from']}_{answer['to']}"
    if file_format == "csv":
        content = await asyncio.to_thread(files.to_csv, columns, rows)
        return File(content, files.CSV_TYPE, f"{stem}.csv")
    content = await asyncio.to_thread(files.to_xlsx, name, columns, rows, _numeric(name))
    return File(content, files.XLSX_TYPE, f"{stem}.xlsx")
