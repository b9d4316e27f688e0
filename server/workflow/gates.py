"""What an issue must pass besides the workflow's own rules, and what it leaves behind.

Gates are checks other features add without the workflow importing them (the EN 16931 export
would otherwise import the workflow that imports it): the application registers them at
assembly (server/core/app.py), and each issue runs them on the frozen document before its
transaction. `issued(...)` reads what an issue stamped, for the features that render it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.core.errors import Conflict
from server.workflow.models import WorkflowState


@dataclass(frozen=True, slots=True)
class IssueCheck:
    """An issue about to happen: the frozen document and the date it will carry."""

    invoice_id: str
    document: dict[str, Any]
    issue_date: date


# A gate answers the fatal problems it finds, as (where, why) pairs; none lets the issue go on.
Gate = Callable[
    [async_sessionmaker[AsyncSession], IssueCheck], Awaitable[Sequence[tuple[str, str]]]
]

# Registered by name: assembling the application again replaces, never doubles, a gate.
_GATES: dict[str, Gate] = {}

# What an issue must also leave behind, written in the issue's own transaction (so that it is
# committed exactly when the issue is): the e-invoicing outbox's row, for one.
IssuedHook = Callable[[AsyncSession, str, str], Awaitable[None]]  # (db, invoice_id, org_id)
_HOOKS: dict[str, IssuedHook] = {}


def register_issue_gate(name: str, gate: Gate) -> None:
    """Add a check every issue must pass."""
    _GATES[name] = gate


def register_issued_hook(name: str, hook: IssuedHook | None) -> None:
    """Add (or, with None, remove) a write every issue makes in its transaction."""
    if hook is None:
        _HOOKS.pop(name, None)
    else:
        _HOOKS[name] = hook


async def run_gates(
    sessions: async_sessionmaker[AsyncSession], check: IssueCheck
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for gate in _GATES.values():
        found.extend(await gate(sessions, check))
    return found


async def run_issued_hooks(db: AsyncSession, invoice_id: str, org_id: str) -> None:
    for hook in _HOOKS.values():
        await hook(db, invoice_id, org_id)


@dataclass(frozen=True, slots=True)
class Issued:
    """What issuing fixed for good (besides the number, which is the invoice's)."""

    issue_date: date
    seller: Mapping[str, Any]
    document: Mapping[str, Any] | None  # the document exactly as issued (None before 0012)


async def issued(db: AsyncSession, invoice_id: str) -> Issued | None:
    """The issue stamp of an invoice; None when it was never issued."""
    row = await db.get(WorkflowState, invoice_id)
    if row is None or row.issue_date is None or row.issued_at is None:
        return None
    return Issued(date.fromisoformat(row.issue_date), row.seller or {}, row.issued_document)


def issue_date_of(document: dict[str, Any], now: datetime) -> date:
    """The document's issue date when it has a valid one, else today (UTC)."""
    header = document.get("invoice") or {}
    value = header.get("issue_date") if isinstance(header, dict) else None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    return now.date()


async def check_issue(
    sessions: async_sessionmaker[AsyncSession], invoice_id: str, document: dict[str, Any]
) -> None:
    """The registered issue gates (the EN 16931 rules), on the frozen document, before the
    transaction: a fatal finding refuses the issue, with every finding, and takes no number."""
    check = IssueCheck(invoice_id, document, issue_date_of(document, datetime.now(UTC)))
    found = await run_gates(sessions, check)
    if found:
        raise Conflict(
            f"the invoice breaks {len(found)} rule(s) of EN 16931: fix them before issuing",
            code="not_compliant",
            details=found,
        )
