"""Time entries into invoice lines: the only way in (docs/integrations.md, "Time entries into
invoice lines").

Three requests, as for customers: the upload keeps the file and recognises the tracker (or
proposes a mapping); each preview reads it again with the user's mapping, grouping and rates
and shows the lines and their totals (the money engine's), writing nothing; the confirmation
computes the same lines and adds them to a new draft or to an existing draft of the
organization, through the draft's live room, as one change of the caller's: logged, attributed
in the history and seen at once by whoever has the draft open. Files are parsed in a worker
thread. Rights: editing invoices (`invoice.edit`); a new draft also needs `invoice.create`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.tables import VAT_RATES
from collab.invoice.validation import evaluate
from collab.sync import RoomRegistry
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member, can, membership
from server.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from server.invoices import service as invoices
from server.spreadsheets.uploads import Limits, Right, Uploads, Words, described, parsed
from server.timesheets.entries import DateOrder, Entry, RowError, date_order, parse_rate, read_entry
from server.timesheets.layouts import recognise
from server.timesheets.lines import Options, group, invoice_lines
from server.timesheets.models import TimeImport

MAX_BYTES: Final = 2 * 1024 * 1024  # a month of a team's entries is a few hundred kB
MAX_ROWS: Final = 20_000

UPLOADS: Final = Uploads(
    TimeImport,
    Words(noun="time-entry import", action="edit invoices", done="added"),
    Limits(MAX_BYTES, MAX_ROWS),
    Right(membership, lambda member: can(member.role, Capability.INVOICE_EDIT)),
)


@dataclass(frozen=True, slots=True)
class Choice:
    """What the user chose in the form: the mapping, date order, grouping, rates, target."""

    mapping: Mapping[str, str | None]
    date_order: DateOrder | None
    options: Options
    invoice_id: str | None
    currency: str


@dataclass(frozen=True, slots=True)
class Plan:
    lines: list[dict[str, Any]]
    rows: list[list[int]]  # the file's rows each line sums
    errors: dict[int, str]
    included: int
    skipped: int
    people: list[str]
    tasks: list[str]


def choice(body: Mapping[str, Any]) -> Choice:
    """The form's choice from the request body (schemas.Grouping's fields), rates checked."""
    try:
        rates = {r["name"]: parse_rate(r["rate"]) for r in body["rates"]}
        default = body.get("default_rate")
        default_rate = parse_rate(default, "default_rate") if default else None
    except RowError as exc:
        raise BadRequest(exc.message, code="bad_rate") from None
    tax_rate = body["tax_rate"]
    try:
        known = Decimal(tax_rate).normalize() in VAT_RATES
    except ArithmeticError:
        known = False
    if not known:
        raise BadRequest(f"{tax_rate!r} % is not a known VAT rate", code="bad_rate")
    options = Options(
        group_by=body["group_by"],
        rates_by=body["rates_by"],
        rates=rates,
        default_rate=default_rate,
        tax_rate=tax_rate,
        language=body["language"],
    )
    return Choice(
        mapping=body["mapping"],
        date_order=body.get("date_order"),
        options=options,
        invoice_id=body.get("invoice_id"),
        currency=body["currency"],
    )


async def upload(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    org_id: str,
    filename: str,
    body: bytes,
    ip: str | None,
) -> dict[str, Any]:
    """Keep an uploaded time-entry file for an hour; its columns, first rows, the tracker
    recognised and the mapping that follows (or one proposed from the column names)."""
    async with sessions() as db:  # the right first: nobody makes us parse files for nothing
        await acting_member(db, user_id, org_id, Capability.INVOICE_EDIT, "edit invoices")
    table = await UPLOADS.read(body)
    layout, mapping = recognise(table.header)
    dates = [r[table.header.index(mapping["date"])] for r in table.rows] if mapping["date"] else []
    async with sessions.begin() as db:
        stored = await UPLOADS.store(
            db, org_id=org_id, user_id=user_id, filename=filename, body=body
        )
        audit.record(
            db,
            AuditKind.TIME_FILE_UPLOADED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"time import {stored.id}",
            detail=f"{len(table.rows)} row(s), {layout.name if layout else 'mapped'} layout",
        )
    return {
        **described(stored, table),
        "layout": layout.name if layout else None,
        "layout_title": layout.title if layout else None,
        "mapping": mapping,
        "date_order": date_order(dates),
    }


def _plan(body: bytes, chosen: Choice) -> Plan:
    table = UPLOADS.table(body)
    mapping = {field: column for field, column in chosen.mapping.items() if column}
    missing = [column for column in mapping.values() if column not in table.header]
    if missing:
        raise BadRequest(f"the file has no column {missing[0]!r}", code="bad_mapping")
    if "date" not in mapping or not ({"duration", "hours"} & set(mapping)):
        raise BadRequest("map a date column and a duration or hours column", code="bad_mapping")
    records = table.records()
    order = chosen.date_order or date_order([r[mapping["date"]] for r in records])
    entries: list[Entry] = []
    errors: dict[int, str] = {}
    skipped = 0
    for number, record in zip(table.numbers, records, strict=True):
        try:
            entry = read_entry(number, {f: record[c] for f, c in mapping.items()}, order=order)
        except RowError as exc:
            errors[number] = exc.message
            continue
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    groups, unrated = group(entries, chosen.options)
    errors.update(unrated)
    return Plan(
        lines=invoice_lines(groups, chosen.options),
        rows=[g.rows for g in groups],
        errors=dict(sorted(errors.items())),
        included=len(entries) - len(unrated),
        skipped=skipped,
        people=sorted({e.person for e in entries if e.person}),
        tasks=sorted({e.task for e in entries if e.task}),
    )


async def _target(db: AsyncSession, *, user_id: str, found: TimeImport, chosen: Choice) -> str:
    """The currency of the lines: the existing draft's (checked: same organization, draft,
    editable by the caller) or the new draft's."""
    if chosen.invoice_id is None:
        await acting_member(db, user_id, found.org_id, Capability.INVOICE_CREATE, "create invoices")
        return chosen.currency
    target = await invoices.access(db, user_id=user_id, invoice_id=chosen.invoice_id)
    if target.invoice.org_id != found.org_id:
        raise NotFound("no such invoice")
    if not target.can(Capability.INVOICE_EDIT):
        raise Forbidden(f"a {target.member.role} cannot edit invoices")
    if target.invoice.status != "draft" or target.invoice.kind != invoices.INVOICE:
        raise Conflict(f"the invoice is {target.invoice.status}: only drafts take lines")
    return target.invoice.currency or "EUR"


def _answer(import_id: str, plan: Plan, currency: str, invoice_id: str | None) -> dict[str, Any]:
    totals = evaluate({"invoice": {"currency": currency}, "lines": plan.lines}).totals
    nets = [line["net"] for line in totals["lines"]] if totals else ["0"] * len(plan.lines)
    return {
        "id": import_id,
        "currency": currency,
        "invoice_id": invoice_id,
        "lines": [
            {**{k: v for k, v in line.items() if k != "id"}, "net": net, "rows": rows}
            for line, net, rows in zip(plan.lines, nets, plan.rows, strict=True)
        ],
        "totals": {k: totals[k] if totals else "0.00" for k in ("net", "tax", "gross")},
        "people": plan.people,
        "tasks": plan.tasks,
        "included": plan.included,
        "skipped": plan.skipped,
        "errors": [{"row": row, "message": message} for row, message in plan.errors.items()],
    }


async def _prepare(
    db: AsyncSession, *, user_id: str, import_id: str, chosen: Choice
) -> tuple[TimeImport, Plan, str]:
    found = await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
    currency = await _target(db, user_id=user_id, found=found, chosen=chosen)
    return found, await parsed(_plan, found.body, chosen), currency


async def preview(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, import_id: str, chosen: Choice
) -> dict[str, Any]:
    """The lines adding the file with `chosen` would make, their totals and the row errors;
    nothing is written."""
    async with sessions() as db:
        _, plan, currency = await _prepare(db, user_id=user_id, import_id=import_id, chosen=chosen)
    return _answer(import_id, plan, currency, chosen.invoice_id)


async def confirm(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    import_id: str,
    chosen: Choice,
    ip: str | None,
) -> dict[str, Any]:
    """Add the lines to the draft (a new one when `chosen.invoice_id` is None), once: the
    upload is claimed first (409 `already_confirmed` for a second confirmation) and released
    again if the draft refuses the change, so the user can retry."""
    async with sessions.begin() as db:
        found, plan, currency = await _prepare(
            db, user_id=user_id, import_id=import_id, chosen=chosen
        )
        if not plan.lines:
            raise BadRequest("no row of the file makes a line", code="nothing_to_add")
        await UPLOADS.claim(db, found, result="adding lines")
        invoice_id = chosen.invoice_id
        if invoice_id is None:
            made = await invoices.create_invoice(db, user_id=user_id, org_id=found.org_id)
            invoice_id = made.id
    try:
        if chosen.invoice_id is None:
            content = {"invoice": {"currency": currency}, "lines": plan.lines}
            seq = await invoices.write_content(registry, invoice_id, content, user_id=user_id)
        else:
            seq = await invoices.add_lines(registry, invoice_id, plan.lines, user_id=user_id)
    except ApiError:
        async with sessions.begin() as db:
            await UPLOADS.release(db, found.id)
        raise
    answer = _answer(import_id, plan, currency, invoice_id)
    hours = sum((Decimal(line["quantity"]) for line in plan.lines), start=Decimal(0))
    summary = f"{len(plan.lines)} line(s), {hours} h, {answer['totals']['net']} {currency} net"
    async with sessions.begin() as db:
        await UPLOADS.record_result(db, found.id, result=summary)
        audit.record(
            db,
            AuditKind.TIME_ENTRIES_IMPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=found.org_id,
            target=f"invoice {invoice_id}",
            detail=f"time import {found.id}: {summary}"
            + (f", update {seq}" if seq is not None else ""),
        )
    return {**answer, "invoice_id": invoice_id, "created": chosen.invoice_id is None, "seq": seq}
