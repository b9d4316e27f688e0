"""Exceptions and their threads as the API returns them: with people's names and the invoice's
number and customer (read through the invoices' and auth's services)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import User, users_by_id
from server.exceptions.models import ExceptionComment, InvoiceException
from server.invoices import service as invoices


def _person(users: dict[str, User], user_id: str | None) -> dict[str, str] | None:
    if user_id is None:
        return None
    user = users.get(user_id)
    return {"id": user_id, "name": user.name if user else ""}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def exception_json(
    db: AsyncSession, rows: Sequence[InvoiceException]
) -> list[dict[str, Any]]:
    people = {r.opened_by for r in rows} | {r.expert_id for r in rows if r.expert_id}
    people |= {r.resolved_by for r in rows if r.resolved_by}
    users = await users_by_id(db, people)
    found = await invoices.get_many(db, list({r.invoice_id for r in rows}))
    by_id = {invoice.id: invoice for invoice in found}
    answer = []
    for row in rows:
        invoice = by_id.get(row.invoice_id)
        answer.append(
            {
                "id": row.id,
                "org_id": row.org_id,
                "invoice": {
                    "id": row.invoice_id,
                    "number": invoice.number if invoice else None,
                    "customer": (invoice.customer_name or "") if invoice else "",
                },
                "category": row.category,
                "note": row.note,
                "status": row.status,
                "opened_by": _person(users, row.opened_by),
                "opened_at": row.opened_at.isoformat(),
                "expert": _person(users, row.expert_id),
                "routed_to": "expert" if row.expert_id else "admins",
                "resolution": row.resolution,
                "resolved_by": _person(users, row.resolved_by),
                "resolved_at": _when(row.resolved_at),
            }
        )
    return answer


async def thread_json(db: AsyncSession, rows: Sequence[ExceptionComment]) -> list[dict[str, Any]]:
    users = await users_by_id(db, {row.author_id for row in rows})
    return [
        {
            "id": row.id,
            "exception_id": row.exception_id,
            "author": _person(users, row.author_id),
            "body": row.body,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
