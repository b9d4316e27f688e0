"""The reports' records (collab/invoice/records.py) made from what the features hand over:
plain values only, so that building them (the money engine's VAT breakdown of every issued
document is the costly part) runs off the event loop."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from collab.invoice.records import CREDIT_NOTE, InvoiceRecord, Move, VatLine
from collab.invoice.validation import evaluate


@dataclass(frozen=True, slots=True)
class Row:
    """An invoice's summary columns, copied out of its database row."""

    id: str
    kind: str
    status: str
    number: str | None
    created_at: datetime
    currency: str
    customer: str
    net: str
    gross: str
    issue_date: str | None
    due_date: str | None


def _amount(text: str | None) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        return Decimal(0)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def vat_of(document: Mapping[str, Any] | None) -> tuple[VatLine, ...]:
    """The VAT breakdown (BG-23) of an issued document, as the money engine computes it."""
    if not document:
        return ()
    totals = evaluate(dict(document)).totals
    if totals is None:
        return ()
    return tuple(
        VatLine(
            group["category"],
            Decimal(group["rate"]),
            _amount(group["base"]),
            _amount(group["amount"]),
        )
        for group in totals["tax_breakdown"]
    )


def build(
    rows: Sequence[Row],
    moves: Mapping[str, Sequence[Move]],
    facts: Mapping[str, tuple[str | None, Mapping[str, Any] | None]],
    credits: Mapping[str, tuple[str, Decimal | None]],
    paid: Mapping[str, Decimal],
) -> list[InvoiceRecord]:
    """One record per row; `credits` maps a credit note to (its invoice, the gross it credited
    once issued); `paid` an invoice to its payments less refunds."""
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for original, gross in credits.values():
        if gross is not None:
            credited[original] += gross
    records = []
    for row in rows:
        assignee, document = facts.get(row.id, (None, None))
        records.append(
            InvoiceRecord(
                id=row.id,
                kind=row.kind,
                status=row.status,
                created_at=row.created_at,
                currency=row.currency,
                customer=row.customer,
                net=_amount(row.net),
                gross=_amount(row.gross),
                number=row.number,
                issue_date=_day(row.issue_date),
                due_date=_day(row.due_date),
                assignee_id=assignee,
                moves=tuple(moves.get(row.id, ())),
                vat=vat_of(document),
                credited=credited.get(row.id, Decimal(0)),
                paid=paid.get(row.id, Decimal(0)),
                credits=credits[row.id][0]
                if row.kind == CREDIT_NOTE and row.id in credits
                else None,
            )
        )
    return records
