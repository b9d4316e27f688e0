"""Notifications: the in-app list of each user, and the hook for e-mail or chat delivery.

A notification is a row per recipient (today only `mention`, written in the same transaction as
the comment that mentions them). After that transaction commits, every registered `Notifier` is
given the new notifications: the default one does nothing, as the in-app list needs no delivery.
An e-mail or chat notifier implements `deliver` and is registered at start with
`NOTIFIERS.register(...)`; its failures are logged and never undo the comment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import User, memberships, users_by_id
from server.comments.models import Comment, Notification
from server.core.errors import NotFound

log = logging.getLogger(__name__)

EXCERPT = 200  # characters of the comment shown in a notification
MAX_PAGE = 200


class NotificationKind(StrEnum):
    MENTION = "mention"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a notifier needs to tell someone they were mentioned, without a database."""

    notification_id: str
    kind: NotificationKind
    user_id: str
    email: str
    name: str
    org_id: str
    invoice_id: str
    thread_id: str
    comment_id: str
    actor_name: str
    excerpt: str


class Notifier(Protocol):
    async def deliver(self, deliveries: Sequence[Delivery]) -> None:
        """Send the notifications somewhere (e-mail, chat); called after they are committed."""


class InAppOnly:
    """The default notifier: the in-app list (`GET /api/notifications`) is all there is."""

    async def deliver(self, deliveries: Sequence[Delivery]) -> None:
        return None


class Notifiers:
    """The registry of notifiers called after each committed batch of notifications."""

    def __init__(self) -> None:
        self._notifiers: list[Notifier] = [InAppOnly()]

    def register(self, notifier: Notifier) -> None:
        self._notifiers.append(notifier)

    def unregister(self, notifier: Notifier) -> None:
        self._notifiers.remove(notifier)

    async def dispatch(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        for notifier in list(self._notifiers):
            try:
                await notifier.deliver(deliveries)
            except Exception:
                log.exception("notifier %s failed", type(notifier).__name__)


NOTIFIERS = Notifiers()


def excerpt(body: str | None) -> str | None:
    if body is None:
        return None
    return body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"


async def mention(
    db: AsyncSession,
    *,
    recipients: Sequence[User],
    actor: User,
    org_id: str,
    invoice_id: str,
    thread_id: str,
    comment: Comment,
) -> list[Delivery]:
    """Add a mention notification per recipient (the actor never notifies themself)."""
    now = datetime.now(UTC)
    made: list[Delivery] = []
    for user in recipients:
        if user.id == actor.id:
            continue
        row = Notification(
            id=str(uuid.uuid4()),
            user_id=user.id,
            org_id=org_id,
            kind=NotificationKind.MENTION.value,
            invoice_id=invoice_id,
            thread_id=thread_id,
            comment_id=comment.id,
            actor_id=actor.id,
            created_at=now,
        )
        db.add(row)
        made.append(
            Delivery(
                notification_id=row.id,
                kind=NotificationKind.MENTION,
                user_id=user.id,
                email=user.email,
                name=user.name,
                org_id=org_id,
                invoice_id=invoice_id,
                thread_id=thread_id,
                comment_id=comment.id,
                actor_name=actor.name,
                excerpt=excerpt(comment.body) or "",
            )
        )
    await db.flush()
    return made


async def _visible(db: AsyncSession, user_id: str) -> Any:
    """The user's notifications from organizations they still belong to."""
    org_ids = [m.org_id for m in await memberships(db, user_id)]
    return (
        select(Notification, Comment.body)
        .join(Comment, Comment.id == Notification.comment_id)
        .where(Notification.user_id == user_id, Notification.org_id.in_(org_ids))
    )


async def _with_actors(
    db: AsyncSession, rows: Sequence[tuple[Notification, str | None]]
) -> list[dict[str, Any]]:
    actors = await users_by_id(db, {row.actor_id for row, _ in rows})
    return [
        as_json(row, body, actors[row.actor_id].name if row.actor_id in actors else "")
        for row, body in rows
    ]


async def unread_count(db: AsyncSession, user_id: str) -> int:
    query = (await _visible(db, user_id)).where(Notification.read_at.is_(None)).subquery()
    return int(await db.scalar(select(func.count()).select_from(query)) or 0)


async def listing(
    db: AsyncSession, *, user_id: str, unread_only: bool, limit: int
) -> list[dict[str, Any]]:
    query = await _visible(db, user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    ordered = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
    rows = (await db.execute(ordered)).tuples().all()
    return await _with_actors(db, rows)


async def mark_read(db: AsyncSession, *, user_id: str, notification_id: str) -> dict[str, Any]:
    query = (await _visible(db, user_id)).where(Notification.id == notification_id)
    found = (await db.execute(query)).tuples().first()
    if found is None:
        raise NotFound("no such notification")
    row, _ = found
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await db.flush()
    [answer] = await _with_actors(db, [found])
    return answer


async def mark_all_read(db: AsyncSession, *, user_id: str) -> None:
    await db.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )


def as_json(row: Notification, body: str | None, actor_name: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "org_id": row.org_id,
        "invoice_id": row.invoice_id,
        "thread_id": row.thread_id,
        "comment_id": row.comment_id,
        "actor": {"id": row.actor_id, "name": actor_name},
        "excerpt": excerpt(body),  # null once the comment is deleted
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }
