"""The invoice workflow on the server: gather the context, ask `collab.invoice.workflow.decide`,
carry out the answer in one transaction, then turn the live room read-only (or editable again).

`transition(...)` is the only way in. Its steps, and why in this order:

1. access and the table's answer for (state, action, role): a viewer is refused without loading
   anything;
2. the invoice's room is acquired (loaded if needed) and, when the move leaves the draft state,
   frozen at once: from here no edit can slip in between the content we hash and the commit;
3. in ONE transaction: the workflow row is locked first (an INSERT takes SQLite's write lock; on
   PostgreSQL the row is then read FOR UPDATE), the invoice and the caller's role are read again,
   `decide` runs on that, and the effects, the new status, the number (issue), the transitions
   log and the audit entry (last: it chains at flush, after the number row is locked) are
   written. Any error rolls everything back, the number included;
4. after the commit the room's `frozen` follows `accepts_edits(new state)` and its connections
   get a `workflow` notice (docs/protocol.md). On a refusal the room gets its old state back.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice.approval import content_hash, readiness
from collab.invoice.workflow import (
    TABLE,
    Action,
    Context,
    Decision,
    Effect,
    Role,
    State,
    accepts_edits,
    read_only_reason,
)
from collab.sync import LoadError, Room, RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.comments import service as comments
from server.core import changes
from server.core.errors import Conflict, Forbidden
from server.credit_notes import service as credit_notes
from server.invoices import service as invoices
from server.organization import service as organization
from server.workflow import pinning
from server.workflow.assignee import assignees as assignees
from server.workflow.assignee import assignees_among as assignees_among
from server.workflow.assignee import set_assignee as set_assignee
from server.workflow.crediting import credit_terms
from server.workflow.emitting import emit_transition
from server.workflow.gates import IssueCheck as IssueCheck
from server.workflow.gates import Issued as Issued
from server.workflow.gates import check_issue, issue_date_of, run_issued_hooks
from server.workflow.gates import issued as issued
from server.workflow.gates import register_issue_gate as register_issue_gate
from server.workflow.gates import register_issued_hook as register_issued_hook
from server.workflow.locking import lock_row
from server.workflow.models import Transition
from server.workflow.reporting import issued_among as issued_among  # for the accounting export
from server.workflow.reporting import moves_among as moves_among  # for the reports
from server.workflow.reporting import workflow_facts as workflow_facts
from server.workflow.requests import TOKEN_NEEDS, checked_decision, next_assignee
from server.workflow.requests import Request as Request
from server.workflow.requests import refusal_error as refusal_error
from server.workflow.requests import state_json as state_json
from server.workflow.settings import Settings as Settings
from server.workflow.settings import Threshold as Threshold
from server.workflow.settings import approval_context
from server.workflow.settings import read_settings as read_settings
from server.workflow.settings import save_settings as save_settings
from server.workflow.versions import AUTO, AUTO_NAMES, add_version
from server.workflow.versions import list_versions as list_versions
from server.workflow.versions import name_version as name_version

# How long a transition waits for the room's queued updates to be durable before binding a
# hash to them (a few ms normally; storage trouble must not hang the request).
_FLUSH_WAIT_SECONDS = 2.0


async def transition(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    request: Request,
) -> dict[str, Any]:
    """Take one workflow action; the invoice's new state (`state_json`). Raises the mapped
    ApiError on a refusal (nothing written, no number taken)."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=request.user_id, invoice_id=request.invoice_id)
    state, role = State(found.invoice.status), Role(found.member.role.value)
    needed = TOKEN_NEEDS[request.action]
    if found.member.token is not None and needed not in found.member.token:
        # The table decides for the role; an API token's scopes narrow it (auth grants).
        raise Forbidden(found.member.refusal(needed, request.action), code="role")
    table = TABLE[(state, request.action, role)]
    if not table.allowed:
        raise refusal_error(table)
    try:
        room = await registry.acquire(found.invoice.id)
    except LoadError:
        raise Conflict("the invoice cannot be loaded right now; try again later") from None
    try:
        async with _serial(room.doc_id):
            outcome = await _in_room(sessions, registry, store, request, room, table)
    finally:
        registry.release(room)
    _notify(registry, room.doc_id, outcome.row)
    if outcome.reason is not None:
        await _announce(sessions, registry, room, outcome.reason)
    if outcome.cancelled is not None:
        _cancelled(registry, outcome.cancelled)
    return outcome.row


@dataclass(frozen=True, slots=True)
class _Outcome:
    row: dict[str, Any]  # the new state (state_json)
    reason: comments.Change | None = None  # a rejection's thread
    cancelled: dict[str, Any] | None = None  # the original a credit note cancelled (state_json)


def _cancelled(registry: RoomRegistry, original: dict[str, Any]) -> None:
    """Open editors of an invoice a credit note cancelled see it at once."""
    registry.freeze(original["id"], read_only_reason(State(original["status"])))
    _notify(registry, original["id"], original)


async def _announce(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    room: Room,
    change: comments.Change,
) -> None:
    """The rejection's thread, live to the invoice's open editors and to those it notifies."""
    async with sessions() as db:
        [thread] = await comments.as_json(db, [change.thread], set())
    notice: dict[str, object] = {"type": "comment", "event": change.event.value, "thread": thread}
    registry.announce(room.doc_id, notice)
    await comments.announce(change)


# One transition at a time per invoice in this process, so that one request's refusal cannot
# unfreeze a room another is about to hash (the database lock orders them across processes).
_serials: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _serial(invoice_id: str) -> asyncio.Lock:
    lock = _serials.get(invoice_id)
    if lock is None:
        lock = _serials[invoice_id] = asyncio.Lock()
    return lock


async def _in_room(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    request: Request,
    room: Room,
    table: Decision,
) -> _Outcome:
    previous = room.frozen
    try:
        if table.next is not None and not accepts_edits(table.next):
            room.frozen = f"the invoice is changing state ({request.action}): editing is paused"
        if not await registry.persister.flush(_FLUSH_WAIT_SECONDS, doc_id=room.doc_id):
            raise Conflict("the invoice's last changes are not saved yet; try again")
        storage = registry.persister.refusal(room.doc_id)
        if storage is not None:
            raise Conflict(storage)
        document = await invoices.read_document(registry, store, room.doc_id)
        if request.action is Action.ISSUE:
            await check_issue(sessions, request.invoice_id, document)
        # The last log entry, durable like everything the document we hash has applied (the
        # store numbers entries: with several processes, some may be another's).
        seq = await store.last_seq(room.doc_id)
        async with sessions.begin() as db:
            outcome = await _carry_out(db, request, document, seq)
    except BaseException:
        room.frozen = previous
        raise
    registry.freeze(room.doc_id, read_only_reason(State(outcome.row["status"])))
    # Against edits other processes let in before they heard of it.
    still = partial(pinning.status_is, sessions, request.invoice_id, str(outcome.row["status"]))
    await pinning.hold(registry, room, document, still)
    return outcome


def _notify(registry: RoomRegistry, doc_id: str, row: dict[str, Any]) -> None:
    registry.announce(
        doc_id,
        {
            "type": "workflow",
            "status": row["status"],
            "number": row["number"],
            "version": row["version"],
            "read_only": read_only_reason(State(row["status"])),
        },
    )


async def _carry_out(
    db: AsyncSession, request: Request, document: dict[str, Any], seq: int
) -> _Outcome:
    """Decide on what the transaction reads and write every effect; the new state, a
    rejection's thread, the invoice a credit note cancelled."""
    row = await lock_row(db, request.invoice_id)
    found = await invoices.access(db, user_id=request.user_id, invoice_id=request.invoice_id)
    invoice = found.invoice
    state, action = State(invoice.status), request.action
    current_hash = content_hash(document)
    ready = readiness(document) if action is Action.SUBMIT else None
    missing_profile = (
        await organization.issue_ready(db, invoice.org_id) if action is Action.ISSUE else []
    )
    rules = approval_context(await read_settings(db, invoice.org_id), document)
    credit = await credit_terms(db, invoice.id, action, document)
    context = Context(
        actor=request.user_id,
        creator=invoice.created_by,
        version=row.version,
        expected_version=request.version,
        blocking=ready.blocking if ready else (),
        missing_customer=ready.missing_customer if ready else (),
        four_eyes=rules.four_eyes,
        amount=rules.amount,
        admin_threshold=rules.admin_threshold,
        reason=request.reason,
        ever_submitted=row.ever_submitted,
        content_hash=current_hash,
        submitted_hash=row.submitted_hash,
        approved_hash=row.approved_hash,
        missing_profile=tuple(missing_profile),
        credit_left=credit.left if credit else None,
        credit_amount=credit.amount if credit else None,
    )
    decision = checked_decision(state, action, Role(found.member.role.value), context)
    assert decision.next is not None
    now, effects = datetime.now(UTC), decision.effects
    cancelled: dict[str, Any] | None = None
    number: str | None = None
    row.version += 1
    if Effect.BIND_SUBMISSION in effects:
        row.submitted_hash, row.ever_submitted = current_hash, True
    if Effect.BIND_APPROVAL in effects:
        row.approved_hash, row.approved_by, row.approved_at = current_hash, request.user_id, now
    if Effect.VOID_APPROVAL in effects:
        row.submitted_hash = row.approved_hash = row.approved_by = None
        row.approved_at = None
    if Effect.NAMED_VERSION in effects:
        name = AUTO_NAMES[action]
        add_version(
            db, invoice_id=invoice.id, seq=seq, name=name, kind=AUTO, author=request.user_id
        )
    if Effect.ASSIGN in effects:
        row.assignee_id = next_assignee(action, actor=request.user_id, creator=invoice.created_by)
    if Effect.SOFT_DELETE in effects:
        row.discarded_at, row.assignee_id = now, None
    if Effect.ALLOCATE_NUMBER in effects:
        issued_on = issue_date_of(document, now)
        series = organization.SeriesKind.CREDIT_NOTE if credit else organization.SeriesKind.INVOICE
        number = await organization.allocate_number(
            db, org_id=invoice.org_id, series=series, issue_date=issued_on
        )
        row.issue_date, row.issued_at, row.assignee_id = issued_on.isoformat(), now, None
        if credit is not None:
            assert credit.amount is not None  # decide() refused an unknown amount
            left = await credit_notes.record_issue(
                db, found=credit.link, gross=credit.amount, actor_id=request.user_id, ip=request.ip
            )
            if left <= 0:
                cancelled = await _state_of(db, credit.link.original_id)
                changes.after_commit(db, invoice.org_id, credit.link.original_id)
    if Effect.STAMP_PROFILE in effects:
        seller = await organization.profile(db, invoice.org_id)
        assert seller is not None  # issue_ready said it was complete, in this transaction
        row.seller = seller.as_dict()
    frozen = Effect.FREEZE in effects
    if frozen:
        row.issued_document = document
        await run_issued_hooks(db, invoice.id, invoice.org_id)
    reason = (request.reason or "").strip() or None
    posted = None
    if Effect.POST_REASON in effects and reason is not None:
        posted = await comments.post_reason(db, found=found, body=reason)
    await invoices.set_state(
        db,
        invoice_id=invoice.id,
        status=decision.next.value,
        number=number,
        document=document if frozen else None,
        issue_date=row.issue_date if frozen else None,
    )
    await emit_transition(
        db,
        invoice=invoice,
        document=document,
        action=action,
        actor_id=request.user_id,
        rules=rules,
        reason=reason,
    )
    db.add(
        Transition(
            invoice_id=invoice.id,
            action=action.value,
            from_state=state.value,
            to_state=decision.next.value,
            actor_id=request.user_id,
            at=now,
            reason=reason,
        )
    )
    detail = f"{action.value}: {state.value} -> {decision.next.value} (version {row.version})"
    if number is not None:
        detail += f", number {number}"
    if reason is not None:
        detail += f"; reason: {reason}"
    # Last: the audit entry chains at flush, after the number row and the workflow row are held.
    audit.record(
        db,
        AuditKind.INVOICE_TRANSITION,
        actor_id=request.user_id,
        ip=request.ip,
        org_id=invoice.org_id,
        target=f"invoice {invoice.id}",
        detail=detail,
    )
    await db.flush()
    changes.after_commit(db, invoice.org_id, invoice.id)  # the board's card moves
    new = state_json(invoice.id, decision.next.value, number or invoice.number, row)
    return _Outcome(new, posted, cancelled)


async def _state_of(db: AsyncSession, invoice_id: str) -> dict[str, Any]:
    invoice = await invoices.get(db, invoice_id)
    row = await lock_row(db, invoice_id)
    return state_json(invoice.id, invoice.status, invoice.number, row)
