"""The manager's board: an organization's invoices as cards (server/board/cards.py), its
priority weights, and the hook other features call when an invoice changed (docs/board.md).

A whole board is read in a fixed number of queries whatever its size (the invoices, their
assignees and those people's names, open threads, catalogue importances, weights, open
exceptions); the cards are built off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.priority import DEFAULT_WEIGHTS, Importance, Weights
from collab.sync import RoomRegistry
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability, acting_member, require, users_by_id
from server.board.cards import Customers, Facts, build_cards, select_cards
from server.board.models import BoardWeights
from server.catalog import service as catalog
from server.comments import service as comments
from server.core import changes
from server.invoices import service as invoices
from server.workflow import service as workflow

# The open exceptions of an organization per invoice: {invoice id: [{"id", "category"}]}.
ExceptionSource = Callable[
    [AsyncSession, str], Awaitable[Mapping[str, Sequence[Mapping[str, Any]]]]
]
_exceptions: list[ExceptionSource] = []  # the exceptions feature's, given at app assembly


def register_exceptions(source: ExceptionSource | None) -> None:
    """Where the cards' open exceptions come from (server/exceptions is above the board)."""
    _exceptions[:] = [] if source is None else [source]


def invoice_changed(org_id: str | None, invoice_id: str) -> None:
    """Tell the board's subscribers that an invoice changed (after the change is committed):
    its card is read again and sent, debounced. For features that cannot use `changes`."""
    changes.invoice_changed(org_id, invoice_id)


# -- weights ----------------------------------------------------------------------------------


async def read_weights(db: AsyncSession, org_id: str) -> Weights:
    row = await db.get(BoardWeights, org_id)
    return DEFAULT_WEIGHTS if row is None else Weights(row.amount, row.due, row.customer)


async def save_weights(
    db: AsyncSession, *, org_id: str, actor_id: str, ip: str | None, new: Weights
) -> bool:
    """Replace the weights in the caller's transaction; whether they changed. A change is
    audited as `org.priority_weights_changed` (old -> new); the same weights record nothing."""
    # Created if missing, then locked: two admins saving at once compare with each other.
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = datetime.now(UTC)
    defaults = DEFAULT_WEIGHTS.as_dict()
    await db.execute(
        insert(BoardWeights)
        .values(org_id=org_id, updated_at=now, updated_by=None, **defaults)
        .on_conflict_do_nothing()
    )
    query = select(BoardWeights).where(BoardWeights.org_id == org_id).with_for_update()
    row = (await db.scalars(query.execution_options(populate_existing=True))).one()
    old = Weights(row.amount, row.due, row.customer)
    if old == new:
        return False
    row.amount, row.due, row.customer = new.amount, new.due, new.customer
    row.updated_at, row.updated_by = now, actor_id
    audit.record(
        db,
        AuditKind.PRIORITY_WEIGHTS_CHANGED,
        actor_id=actor_id,
        ip=ip,
        org_id=org_id,
        target=f"org {org_id}",
        detail=f"{_weights_text(old)} -> {_weights_text(new)}",
    )
    await db.flush()
    return True


def _weights_text(weights: Weights) -> str:
    return ", ".join(f"{name} {value}" for name, value in weights.as_dict().items())


# -- cards ------------------------------------------------------------------------------------


# The people in each invoice on the other processes, shaped as `Room.present_users()` gives
# them (server/board/relay.py); given by the hub, so the service holds no bus.
Elsewhere = Callable[[Collection[str] | None], Mapping[str, Sequence[Mapping[str, str]]]]


def present_in(
    registry: RoomRegistry,
    invoice_ids: Collection[str] | None = None,
    elsewhere: Elsewhere | None = None,
) -> dict[str, list[dict[str, str]]]:
    """The people in each invoice now, from its presence as the server stamped it: in the
    rooms loaded here, then on the other processes (each person once)."""
    people: dict[str, dict[str, Mapping[str, str]]] = {}
    for room in registry.rooms:
        if invoice_ids is not None and room.doc_id not in invoice_ids:
            continue
        for user in room.present_users():
            people.setdefault(room.doc_id, {}).setdefault(user["id"], user)
    if elsewhere is not None:
        for invoice_id, users in elsewhere(invoice_ids).items():
            for remote in users:
                people.setdefault(invoice_id, {}).setdefault(remote["id"], remote)
    return {
        invoice_id: [
            {"user_id": u["id"], "name": u.get("name", ""), "colour": u.get("color", "")}
            for u in users.values()
        ]
        for invoice_id, users in people.items()
    }


async def cards(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    org_id: str,
    invoice_ids: Collection[str] | None = None,
    elsewhere: Elsewhere | None = None,
) -> tuple[list[dict[str, Any]], Weights]:
    """The organization's cards (or those of `invoice_ids` still on the board) and weights;
    `elsewhere` adds the people in them on the other processes."""
    async with sessions() as db:
        rows = await invoices.board_rows(db, org_id, invoice_ids)
        ids = invoices.board_ids(org_id, invoice_ids)
        assignees = await workflow.assignees_among(db, ids)
        names = {
            user_id: user.name
            for user_id, user in (await users_by_id(db, set(assignees.values()))).items()
        }
        threads = await comments.open_thread_counts(db, ids)
        customers = _customers(await catalog.importances(db, org_id))
        weights = await read_weights(db, org_id)
        exceptions: Mapping[str, Sequence[Mapping[str, Any]]] = {}
        for source in _exceptions:
            exceptions = await source(db, org_id)
    facts = Facts(
        today=datetime.now(UTC).date(),
        weights=weights,
        customers=customers,
        assignees=assignees,
        names=names,
        threads=threads,
        exceptions=exceptions,
        present=present_in(registry, invoice_ids, elsewhere),
    )
    if len(rows) < 50:  # a delta: cheaper than a thread hop
        return build_cards(rows, facts), weights
    return await asyncio.to_thread(build_cards, rows, facts), weights


_LEVELS = frozenset(level.value for level in Importance)


def _customers(rows: list[tuple[str, str, str]]) -> Customers:
    by_vat: dict[str, Importance] = {}
    by_name: dict[str, Importance] = {}
    vat_ids: set[str] = set()
    for name, vat_id, importance in rows:
        level = Importance(importance) if importance in _LEVELS else Importance.NORMAL
        if vat_id:
            vat_ids.add(vat_id)
            if level is not Importance.NORMAL:
                by_vat[vat_id] = level
        # The most important of same-named customers: nobody is missed for a duplicate.
        if level is not Importance.NORMAL and by_name.get(name) is not Importance.KEY:
            by_name[name] = level
    return Customers(by_vat, by_name, frozenset(vat_ids))


async def board(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    *,
    user_id: str,
    org_id: str | None,
    filters: Mapping[str, Any],
    elsewhere: Elsewhere | None = None,
) -> dict[str, Any]:
    """GET /api/board: the caller's organization's cards, filtered and sorted, and weights."""
    async with sessions() as db:
        member = await acting_member(db, user_id, org_id, Capability.INVOICE_READ, "read the board")
    found, weights = await cards(sessions, registry, org_id=member.org_id, elsewhere=elsewhere)
    chosen = select_cards(found, user_id=user_id, **filters)
    return {"cards": chosen, "weights": weights.as_dict()}


async def board_member(db: AsyncSession, *, user_id: str, org_id: str) -> None:
    """Whether the user may watch the organization's board: 404 when not a member (another
    tenant's id is the same as an unknown one), 403 when their role cannot read invoices."""
    await require(db, user_id=user_id, org_id=org_id, capability=Capability.INVOICE_READ)
