"""A board card from what the queries read: pure, so a whole board is built off the event loop.

The card's shape is `schemas.Card`; it is built as plain dicts (thousands per board) and
checked against the model by the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from collab.invoice.priority import Importance, Weights, priority
from server.invoices.service import BoardRow

STAGES = ("draft", "submitted", "approved", "issued", "overdue", "partially_paid", "paid")
_OWED = ("issued", "partially_paid")  # what can be overdue: issued and not settled


def stage(status: str, due: date | None, today: date) -> str:
    """The board column: the status, except that an issued or partly paid invoice whose due
    date is past (UTC) is overdue."""
    if status in _OWED and due is not None and due < today:
        return "overdue"
    return status


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Customers:
    """The catalogue's importance by VAT id, else by exact name (only those not normal)."""

    by_vat: Mapping[str, Importance] = field(default_factory=dict)
    by_name: Mapping[str, Importance] = field(default_factory=dict)
    vat_ids: frozenset[str] = frozenset()  # every catalogued VAT id, normal ones too

    def importance(self, vat_id: str | None, name: str | None) -> Importance:
        if vat_id and vat_id in self.vat_ids:
            return self.by_vat.get(vat_id, Importance.NORMAL)
        return self.by_name.get(name or "", Importance.NORMAL)


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a board's cards are built from besides the invoice rows."""

    today: date
    weights: Weights
    customers: Customers
    assignees: Mapping[str, str]  # invoice id -> user id
    names: Mapping[str, str]  # user id -> name
    threads: Mapping[str, int]  # invoice id -> open threads
    exceptions: Mapping[str, Sequence[Mapping[str, Any]]]  # invoice id -> open ones
    present: Mapping[str, list[dict[str, str]]]  # invoice id -> people in it now


def build_card(row: BoardRow, facts: Facts) -> dict[str, Any]:
    """One card (`schemas.Card`) of an invoice row (`invoices.service.board_rows`)."""
    due = _date(row.due_date) if row.due_date else None
    column = stage(row.status, due, facts.today)
    days = None
    if due is not None and row.status != "paid":  # a paid invoice is not late any more
        days = (due - facts.today).days
    gross = _decimal(row.gross)
    importance = facts.customers.importance(row.customer_vat_id, row.customer_name)
    score = priority(
        gross=gross,
        currency=row.currency,
        days_until_due=days,
        importance=importance,
        weights=facts.weights,
    )
    assignee = facts.assignees.get(row.id)
    return {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "status": row.status,
        "stage": column,
        "customer": row.customer_name or "",
        "gross": row.gross,
        "currency": row.currency,
        "due_date": row.due_date,
        "issue_date": row.issue_date,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "assignee": None
        if assignee is None
        else {"id": assignee, "name": facts.names.get(assignee, "")},
        "priority": score.as_dict(),
        "threads": facts.threads.get(row.id, 0),
        "exceptions": [
            {"id": str(e["id"]), "category": str(e["category"])}
            for e in facts.exceptions.get(row.id, ())
        ],
        "present": facts.present.get(row.id, []),
    }


def build_cards(rows: Sequence[BoardRow], facts: Facts) -> list[dict[str, Any]]:
    return [build_card(row, facts) for row in rows]


def select_cards(
    cards: list[dict[str, Any]],
    *,
    user_id: str,
    assignee: str | None = None,
    customer: str | None = None,
    min: Decimal | None = None,
    max: Decimal | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    mine: bool = False,
    sort: str = "priority",
) -> list[dict[str, Any]]:
    """The cards that pass the filters (GET /api/board), in the chosen order: priority and
    amount highest first, due date soonest first (none last), updated latest first."""
    wanted = assignee if not mine else user_id
    text = customer.casefold() if customer else None
    low, high = (str(due_from) if due_from else None), (str(due_to) if due_to else None)

    def keep(card: dict[str, Any]) -> bool:
        if wanted is not None and (card["assignee"] or {}).get("id") != wanted:
            return False
        if text is not None and text not in card["customer"].casefold():
            return False
        if min is not None or max is not None:
            gross = _decimal(card["gross"])
            if (min is not None and gross < min) or (max is not None and gross > max):
                return False
        if low is not None or high is not None:
            due = card["due_date"]
            if due is None or (low is not None and due < low) or (high is not None and due > high):
                return False
        return True

    chosen = [card for card in cards if keep(card)]
    if sort == "due":
        chosen.sort(key=lambda c: (c["due_date"] is None, c["due_date"] or "", c["id"]))
    elif sort == "amount":
        chosen.sort(key=lambda c: (-_decimal(c["gross"]), c["id"]))
    elif sort == "updated":
        chosen.sort(key=lambda c: (c["updated_at"] or c["created_at"], c["id"]), reverse=True)
    else:
        chosen.sort(key=lambda c: (-c["priority"]["score"], c["due_date"] or "9999", c["id"]))
    return chosen


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return Decimal(0)
