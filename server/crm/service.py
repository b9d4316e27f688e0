"""Customers from and to a CRM: the only way in (docs/integrations.md, "Customers from and to a
CRM").

The import is three requests: the upload stores the file and proposes a mapping from its
header; each preview reads it again with the mapping the user chose and says what each row
would do, writing nothing; the confirmation decides again on the customers as they are then and
imports the good rows in one transaction, once. Files are parsed in a worker thread. Rights:
changing the catalogue (`invoice.create`, as the customer API) to import, reading it to export.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from functools import partial
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member, can, membership
from server.catalog import service as catalog
from server.core.errors import ApiError, BadRequest
from server.crm.columns import ALIASES, EXPORT_FIELDS, FIELDS, REQUIRED
from server.crm.models import CustomerImport
from server.crm.plan import Existing, RowPlan, plan
from server.spreadsheets.columns import propose
from server.spreadsheets.reading import Table
from server.spreadsheets.uploads import Limits, Right, Uploads, Words, described, parsed
from server.spreadsheets.writing import csv_bytes

MAX_BYTES: Final = 2 * 1024 * 1024  # a CRM export of several thousand companies
MAX_ROWS: Final = 5000
CHANGE: Final = "change the catalogue"

UPLOADS: Final = Uploads(
    CustomerImport,
    Words(noun="customer import", action=CHANGE, done="imported"),
    Limits(MAX_BYTES, MAX_ROWS),
    Right(membership, lambda member: can(member.role, Capability.INVOICE_CREATE)),
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
    """Keep an uploaded customer file for an hour; its columns, first rows and the mapping
    proposed from its header."""
    async with sessions() as db:  # the right first: nobody makes us parse files for nothing
        await acting_member(db, user_id, org_id, Capability.INVOICE_CREATE, CHANGE)
    table = await UPLOADS.read(body)
    async with sessions.begin() as db:
        stored = await UPLOADS.store(
            db, org_id=org_id, user_id=user_id, filename=filename, body=body
        )
        audit.record(
            db,
            AuditKind.CUSTOMER_FILE_UPLOADED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"customer import {stored.id}",
            detail=f"{len(table.rows)} row(s), {len(body)} bytes, {table.encoding}",
        )
    return {**described(stored, table), "mapping": propose(table.header, ALIASES)}


def _cells(table: Table, mapping: dict[str, str | None]) -> list[tuple[int, dict[str, str]]]:
    missing = [column for column in mapping.values() if column and column not in table.header]
    if missing:
        raise BadRequest(f"the file has no column {missing[0]!r}", code="bad_mapping")
    unmapped = [name for name in REQUIRED if not mapping.get(name)]
    if unmapped:
        raise BadRequest(f"map a column to {unmapped[0]!r}", code="bad_mapping")
    used = [column for column in mapping.values() if column]
    if len(used) != len(set(used)):
        raise BadRequest("a column can fill one field only", code="bad_mapping")
    records = table.records()
    return [
        (number, {name: record[column] for name, column in mapping.items() if column})
        for number, record in zip(table.numbers, records, strict=True)
    ]


def _check(values: Mapping[str, str]) -> str | None:
    try:
        catalog.check_customer(values)
    except ApiError as exc:
        return exc.message
    return None


def _decide(body: bytes, mapping: dict[str, str | None], existing: list[Existing]) -> list[RowPlan]:
    return plan(_cells(UPLOADS.table(body), mapping), existing, _check)


async def _existing(db: AsyncSession, org_id: str) -> list[Existing]:
    return [
        Existing(id=c.id, values={name: getattr(c, name) or "" for name in FIELDS})
        for c in await catalog.org_customers(db, org_id=org_id)
    ]


async def _plans(
    db: AsyncSession, body: bytes, org_id: str, mapping: dict[str, str | None]
) -> list[RowPlan]:
    return await parsed(_decide, body, mapping, await _existing(db, org_id))


def _answer(import_id: str, plans: list[RowPlan]) -> dict[str, Any]:
    counts = Counter(p.outcome for p in plans)
    return {
        "id": import_id,
        "counts": {name: counts[name] for name in ("create", "update", "unchanged", "error")},
        "rows": [asdict(p) for p in plans],
    }


async def preview(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    import_id: str,
    mapping: dict[str, str | None],
) -> dict[str, Any]:
    """What confirming with `mapping` would do to each row; nothing is written."""
    async with sessions() as db:
        found = await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
        plans = await _plans(db, found.body, found.org_id, mapping)
    return _answer(import_id, plans)


async def confirm(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    import_id: str,
    mapping: dict[str, str | None],
    ip: str | None,
) -> dict[str, Any]:
    """Import the rows that are good now, in one transaction, once: 409 `already_confirmed`
    for a second confirmation. The rows as decided, created ones with their new id. An external
    id another request took meanwhile fails the whole import with 409 `external_id_taken`."""
    async with catalog.external_id_guard(), sessions.begin() as db:
        found = await UPLOADS.usable(db, user_id=user_id, import_id=import_id)
        plans = await _plans(db, found.body, found.org_id, mapping)
        rows = {c.id: c for c in await catalog.org_customers(db, org_id=found.org_id)}
        for each in plans:
            if each.outcome == "create":
                made = await catalog.create_customer(
                    db, org_id=found.org_id, values=dict(each.values)
                )
                each.customer_id = made.id
            elif each.outcome == "update" and each.customer_id is not None:
                for name in each.changes:
                    setattr(rows[each.customer_id], name, each.values[name])
        answer = _answer(import_id, plans)
        summary = ", ".join(f"{count} {name}" for name, count in answer["counts"].items())
        confirmed_at = await UPLOADS.claim(db, found, result=summary)
        audit.record(
            db,
            AuditKind.CUSTOMERS_IMPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=found.org_id,
            target=f"customer import {found.id}",
            detail=summary,
        )
    return {**answer, "confirmed_at": confirmed_at.isoformat()}


async def export(
    sessions: async_sessionmaker[AsyncSession], *, user_id: str, org_id: str, ip: str | None
) -> tuple[bytes, int]:
    """The organization's customers as CSV for a spreadsheet or a CRM (UTF-8 with a BOM,
    formula-safe cells), columns named as the import recognises them; how many customers."""
    async with sessions.begin() as db:
        await acting_member(db, user_id, org_id, Capability.INVOICE_READ, "read the catalogue")
        customers = await catalog.org_customers(db, org_id=org_id)
        rows = [[getattr(c, name) or "" for name in EXPORT_FIELDS] for c in customers]
        audit.record(
            db,
            AuditKind.CUSTOMERS_EXPORTED,
            actor_id=user_id,
            ip=ip,
            org_id=org_id,
            target=f"organization {org_id}",
            detail=f"{len(rows)} customer(s)",
        )
    return await asyncio.to_thread(partial(csv_bytes, EXPORT_FIELDS, rows)), len(rows)
