"""The accounting export (issue 17): an organization's chart of accounts, and its issued
invoices, credit notes and payments of a period as accounting entries, written as the French
FEC (fec.py) or a generic CSV journal (journal.py). docs/integrations.md, "Accounting export".

Who: accountants and admins (`accounting.export`); anyone else of the organization gets 403,
anyone outside it 404. Every change of the chart and every export is audited, the export with
the SHA-256 of the file it handed out.

The database reads run in one transaction; the entries (the money engine's totals of every
issued document, the costly part) and the file are built in a worker thread. A period is at
most `MAX_DAYS` long (a first fiscal year may last 24 months), which bounds what one request
holds in memory.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice import ledger, lettering
from collab.invoice.ledger import Chart, Entry
from server.accounting import charts, fec, journal
from server.accounting.models import AccountingChart
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, require
from server.core.errors import BadRequest, Conflict, Unprocessable
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.organization import service as organization
from server.payments import service as payments
from server.workflow import service as workflow

MAX_DAYS: Final = 731  # two years and a day: the longest fiscal year (24 months) fits
FEC, CSV = "fec", "csv"
_MAX_LISTED: Final = 50  # invoices named in a refusal; the count says the rest
_CHUNK: Final = 500  # ids per IN (...) list: far below every driver's parameter limit


# -- the chart --------------------------------------------------------------------------------


def _answer(chart: dict[str, Any], row: AccountingChart | None) -> dict[str, Any]:
    return {
        "chart": chart,
        "defaults": charts.DEFAULT_JSON,
        "customized": row is not None,
        "updated_at": None if row is None else row.updated_at.isoformat(),
    }


async def read_chart(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, org_id: str
) -> dict[str, Any]:
    async with sessions() as db:
        await require(db, user_id=user_id, org_id=org_id, capability=Capability.ACCOUNTING_EXPORT)
        chart, row = await charts.read(db, org_id)
    return _answer(charts.as_json(chart), row)


async def save_chart(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str,
    ip: str | None,
    new: dict[str, Any],
) -> dict[str, Any]:
    """Replace the chart (`new`: a checked ChartModel's JSON); audited with what changed."""
    stored = charts.as_json(charts.of_json(new))  # one canonical form: rates "5.5", not "5.50"
    async with sessions.begin() as db:
        await require(db, user_id=user_id, org_id=org_id, capability=Capability.ACCOUNTING_EXPORT)
        old, row = await charts.replace(db, org_id=org_id, actor_id=user_id, new=stored)
        audit.record(
            db,
            AuditKind.ACCOUNTING_CHART_CHANGED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"org {org_id}",
            detail=_changes(old, stored),
        )
    return _answer(stored, row)


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    changed = [
        f"{key} {old.get(key)} -> {value}"
        for key, value in new.items()
        if key != "rules" and old.get(key) != value
    ]
    if old.get("rules") != new["rules"]:
        changed.append(f"rules: {len(old.get('rules') or [])} -> {len(new['rules'])}")
    return "; ".join(changed) or "no change"


# -- the export -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sale:
    id: str
    kind: str
    number: str
    issue_date: date
    document: Mapping[str, Any]
    settles: str  # the invoice whose balance it moves: its own, or a credit note's original


@dataclass(frozen=True, slots=True)
class Money:
    payment: payments.Moved
    invoice_number: str
    customer: Mapping[str, Any] | None
    settles: str  # the invoice whose balance it moves (a credit note's: its original)


@dataclass(frozen=True, slots=True)
class File:
    content: bytes
    media_type: str
    file_name: str
    summary: dict[str, Any]


def period(start: date, end: date) -> None:
    if start > end:
        raise BadRequest("`from` is after `to`")
    if (end - start).days >= MAX_DAYS:
        raise BadRequest(f"a period is at most {MAX_DAYS} days")


def _customer(document: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    header = (document or {}).get("invoice")
    found = header.get("customer") if isinstance(header, Mapping) else None
    return found if isinstance(found, Mapping) else None


async def _gather(
    db: AsyncSession, org_id: str, start: date, end: date
) -> tuple[list[Sale], list[Money]]:
    ids = invoices.org_invoice_ids(org_id)
    issued = await workflow.issued_among(db, ids, start=start.isoformat(), end=end.isoformat())
    moved = await payments.moved_between(db, org_id, start.isoformat(), end.isoformat())
    # The invoices the payments settle may have been issued before the period.
    earlier = sorted({m.invoice_id for m in moved} - set(issued))
    settled = dict(issued)
    rows: dict[str, invoices.Invoice] = {}
    wanted = sorted(set(issued) | set(earlier))
    for at in range(0, len(wanted), _CHUNK):
        rows.update((r.id, r) for r in await invoices.get_many(db, wanted[at : at + _CHUNK]))
    for at in range(0, len(earlier), _CHUNK):
        settled.update(await workflow.issued_among(db, earlier[at : at + _CHUNK]))
    originals: dict[str, str] = {}  # credit note -> the invoice it credits, for lettering
    for at in range(0, len(wanted), _CHUNK):
        credited = await credit_notes.credits_among(db, wanted[at : at + _CHUNK])
        originals.update((note, original) for note, (original, _) in credited.items())
    sales = [
        Sale(
            i,
            rows[i].kind,
            rows[i].number or "",
            date.fromisoformat(day),
            document or {},
            originals.get(i, i),
        )
        for i, (day, document) in issued.items()
        if i in rows and rows[i].number
    ]
    money = [
        Money(
            m,
            rows[m.invoice_id].number or "",
            _customer(settled[m.invoice_id][1]),
            originals.get(m.invoice_id, m.invoice_id),
        )
        for m in moved
        if m.invoice_id in rows and m.invoice_id in settled
    ]
    return sales, money


def entries(chart: Chart, sales: Sequence[Sale], money: Sequence[Money]) -> list[Entry]:
    """Every entry of the period (pure: run in a worker thread)."""
    made: list[Entry | None] = [
        ledger.sale_entry(
            chart,
            kind=sale.kind,
            number=sale.number,
            issue_date=sale.issue_date,
            document=sale.document,
            source=sale.id,
            settles=sale.settles,
        )
        for sale in sales
    ]
    made += [
        ledger.payment_entry(
            chart,
            kind=m.payment.kind,
            day=date.fromisoformat(m.payment.date),
            amount=Decimal(m.payment.amount),
            currency=m.payment.currency,
            invoice_number=m.invoice_number,
            reference=m.payment.reference,
            customer=m.customer,
            recorded_day=m.payment.recorded_at.date(),
            source=m.payment.id,
            settles=m.settles,
        )
        for m in money
    ]
    return [entry for entry in made if entry is not None]


def _foreign(found: Sequence[Entry]) -> list[tuple[str, str]]:
    return [
        (entry.piece_ref, f"{entry.currency} {entry.debit}: no EUR amount is known")
        for entry in found
        if entry.currency != fec.ACCOUNTING_CURRENCY
    ]


def build(
    chart: Chart,
    sales: Sequence[Sale],
    money: Sequence[Money],
    *,
    file_format: str,
    separator: str,
    siren: str,
    start: date,
    end: date,
) -> File:
    """The file and its summary (pure: run in a worker thread). The FEC refuses entries in a
    currency other than the euro: nothing in Cofacture records an exchange rate, and a FEC
    without them would be incomplete (docs/integrations.md); the CSV journal carries them in
    their own currency."""
    found = entries(chart, sales, money)
    if file_format == FEC:
        foreign = _foreign(found)
        if foreign:
            raise Unprocessable(
                f"{len(foreign)} entries are not in euros and no exchange rate is recorded: "
                "the FEC is kept in euros only; export the CSV journal, or a period without them",
                code="foreign_currency",
                details=foreign[:_MAX_LISTED],
            )
    numbered = ledger.numbered(found, (chart.sales_journal, chart.bank_journal))
    letters = lettering.letters(numbered, chart.customer_account)
    if file_format == FEC:
        content = fec.write(numbered, separator, letters)
        media_type, name = fec.MEDIA_TYPE, fec.file_name(siren, end)
    else:
        content = journal.write(numbered, letters)
        media_type = journal.MEDIA_TYPE
        name = f"journal_{start.isoformat()}_{end.isoformat()}.csv"
    summary = {
        "format": file_format,
        "file_name": name,
        "media_type": media_type,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "entries": len(numbered),
        "lines": sum(len(entry.postings) for _, entry in numbered),
        "debit": str(sum((entry.debit for entry in found), Decimal("0.00"))),
        "credit": str(sum((entry.credit for entry in found), Decimal("0.00"))),
        "currencies": sorted({entry.currency for entry in found}),
        "lettered": len(letters),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return File(content, media_type, name, summary)


async def export(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str,
    ip: str | None,
    file_format: str,
    start: date,
    end: date,
    separator: str = "pipe",
) -> File:
    """The FEC or CSV journal of `start`..`end` (both included), audited once made."""
    period(start, end)
    async with sessions() as db:
        await require(db, user_id=user_id, org_id=org_id, capability=Capability.ACCOUNTING_EXPORT)
        chart, _ = await charts.read(db, org_id)
        seller = await organization.profile(db, org_id)
        sales, money = await _gather(db, org_id, start, end)
    siren = "".join(c for c in (seller.siren if seller else "") if c.isdigit())[:9]
    if file_format == FEC and len(siren) != 9:
        raise Conflict("the FEC is named after the SIREN: set it in the seller profile first")
    made = await asyncio.to_thread(
        build,
        chart,
        sales,
        money,
        file_format=file_format,
        separator=separator,
        siren=siren,
        start=start,
        end=end,
    )
    summary = made.summary
    async with sessions.begin() as db:
        audit.record(
            db,
            AuditKind.ACCOUNTING_EXPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"org {org_id}",
            detail=(
                f"{made.file_name} ({file_format}"
                f"{', ' + separator if file_format == FEC else ''}) {start}..{end}: "
                f"{summary['entries']} entries, {summary['lines']} lines, "
                f"sha256 {summary['sha256']}"
            ),
        )
    return made
