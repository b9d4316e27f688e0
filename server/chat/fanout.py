"""The domain-events subscriber: who and which channels hear of an event.

Runs in the `events.dispatch` job's transaction (server/events) and only queues jobs there,
each keyed by the event's id, so one event makes each message once however often the
dispatch runs:

- every enabled channel of the organization that receives the event's kind:
  `chat:<event id>:<channel id>`;
- every person it concerns (the approvers of a submitted invoice; the creator and assignee
  of a rejected or overdue one; the people @mentioned; an exception's expert, or the admins
  when it has none; whoever opened a resolved exception), never its actor, and only while
  they are members: an e-mail if they want this kind by e-mail
  (`chat-mail:<event id>:<user id>`), and their own channels that receive the kind.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import Capability, Role, membership, org_users, users_by_id
from server.chat.models import ChatChannel, NotificationSettings
from server.chat.notices import DEFAULT_EMAIL_KINDS, Kind, Notice, kind_of, notice_of
from server.chat.sending import DELIVER, EMAIL
from server.exceptions import service as exceptions
from server.invoices import service as invoices
from server.jobs import service as jobs
from server.workflow import service as workflow

MAX_RECIPIENTS = 50  # people told of one event (an organization's approvers, its admins)


class EventLike(Protocol):
    """server/events' `Event` as this subscriber reads it."""

    @property
    def id(self) -> str: ...
    @property
    def org_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def actor_id(self) -> str | None: ...


async def on_event(db: AsyncSession, event: EventLike) -> None:
    """Queue the chat and e-mail notifications of `event`."""
    kind = kind_of(event.type)
    data = event.data
    if kind is None or not isinstance(data.get("invoice_id"), str):
        return
    if kind is Kind.MENTION and not data.get("mentioned_user_ids"):
        return  # a comment that mentions nobody is not a notification
    mentioned = [str(u) for u in data.get("mentioned_user_ids") or []][:MAX_RECIPIENTS]
    names = await users_by_id(db, {*mentioned, *([event.actor_id] if event.actor_id else [])})
    invoice = await _invoice(db, data["invoice_id"], event.org_id)
    if invoice is None:
        return
    notice = notice_of(
        kind,
        data,
        actor=names[event.actor_id].name if event.actor_id in names else None,
        mentioned=tuple(names[u].name for u in mentioned if u in names),
        invoice=invoice,
    )
    for channel in await _channels(db, kind, org_id=event.org_id):
        await _deliver(db, event, channel, notice)
    for user_id in await _recipients(db, kind, event, invoice, mentioned):
        chosen = await db.get(NotificationSettings, user_id)
        wanted = chosen.email_kinds.split(",") if chosen else [k.value for k in DEFAULT_EMAIL_KINDS]
        if kind.value in wanted:
            await jobs.enqueue(
                db,
                kind=EMAIL,
                key=f"chat-mail:{event.id}:{user_id}",
                payload={"user_id": user_id, "notice": notice.as_json()},
                org_id=event.org_id,
            )
        for channel in await _channels(db, kind, owner_id=user_id):
            await _deliver(db, event, channel, notice)
    jobs.nudge()


async def _invoice(db: AsyncSession, invoice_id: str, org_id: str) -> dict[str, Any] | None:
    """The invoice's facts the event may not carry; None: not this organization's."""
    found = (await invoices.get_many(db, [invoice_id])) if len(invoice_id) <= 36 else []
    if not found or found[0].org_id != org_id:
        return None
    row = found[0]
    return {
        "invoice_id": row.id,
        "number": row.number,
        "customer_name": row.customer_name,
        "currency": row.currency,
        "gross": row.gross,
        "created_by": row.created_by,
    }


async def _channels(
    db: AsyncSession, kind: Kind, *, org_id: str | None = None, owner_id: str | None = None
) -> list[ChatChannel]:
    """The enabled channels of the organization (or `owner_id`'s own) that receive `kind`."""
    owner = (
        (ChatChannel.user_id == owner_id, ChatChannel.org_id.is_(None))
        if owner_id
        else (ChatChannel.org_id == org_id, ChatChannel.user_id.is_(None))
    )
    rows = await db.scalars(select(ChatChannel).where(*owner, ChatChannel.enabled.is_(True)))
    return [r for r in rows if kind.value in r.kinds.split(",")]


async def _deliver(
    db: AsyncSession, event: EventLike, channel: ChatChannel, notice: Notice
) -> None:
    await jobs.enqueue(
        db,
        kind=DELIVER,
        key=f"chat:{event.id}:{channel.id}",
        payload={"channel_id": channel.id, "notice": notice.as_json()},
        org_id=event.org_id,
    )


async def _recipients(
    db: AsyncSession, kind: Kind, event: EventLike, invoice: dict[str, Any], mentioned: list[str]
) -> list[str]:
    """The members `event` concerns, its actor left out, in a stable order."""
    data = event.data
    wanted: list[str] = []
    if kind is Kind.APPROVAL:
        given = data.get("approver_ids")
        wanted = [str(u) for u in given] if isinstance(given, list) else await _able(db, event)
    elif kind in (Kind.REJECTED, Kind.OVERDUE):
        assignee = (await workflow.assignees(db, [invoice["invoice_id"]])).get(
            invoice["invoice_id"]
        )
        wanted = [invoice["created_by"], *([assignee] if assignee else [])]
    elif kind is Kind.MENTION:
        wanted = mentioned
    elif kind is Kind.EXCEPTION_OPENED:
        expert = data.get("expert_id")
        wanted = [str(expert)] if expert else await _able(db, event, admins=True)
    elif kind is Kind.EXCEPTION_RESOLVED:
        opener = await exceptions.opened_by(db, str(data.get("exception_id", "")))
        wanted = [opener] if opener else []
    chosen: list[str] = []
    for user_id in dict.fromkeys(wanted):
        if user_id != event.actor_id and await membership(db, user_id, event.org_id) is not None:
            chosen.append(user_id)
    return chosen[:MAX_RECIPIENTS]


async def _able(db: AsyncSession, event: EventLike, *, admins: bool = False) -> list[str]:
    """The members who may approve (or, `admins`, the admins)."""
    found = []
    for user in await org_users(db, event.org_id):
        member = await membership(db, user.id, event.org_id)
        if member is None:
            continue
        if (member.role is Role.ADMIN) if admins else member.can(Capability.INVOICE_APPROVE):
            found.append(user.id)
    return found
