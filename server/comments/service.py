"""Comment threads on invoices: create, reply, edit, delete, resolve, reopen (docs/comments.md).

Service functions over one database transaction. The caller (server/comments/routes.py) has
already checked that the user sees the invoice (`invoices.access`); these check what the user's
role and authorship allow. Comments have no workflow check: they stay open to discussion after
the invoice is issued.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import Capability, User, org_users, users_by_id
from server.comments import notifications
from server.comments.anchors import Anchor
from server.comments.models import Comment, CommentMention, CommentThread
from server.comments.notifications import Delivery
from server.comments.rendering import as_json as as_json
from server.core import changes
from server.core.errors import BadRequest, Conflict, Forbidden, NotFound
from server.events import service as events
from server.invoices.service import InvoiceAccess

MAX_BODY = 5000  # characters of a comment, once trimmed (checked by schemas.Body)
MAX_THREADS_PER_INVOICE = 1000  # each list answer carries them all
MAX_COMMENTS_PER_THREAD = 500
MAX_MENTIONS = 20  # per comment: more is a broadcast, not a mention
DOCUMENT_PATH = "invoice"  # the anchor of a thread on the whole invoice (server-made only)


class ThreadStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Event(StrEnum):
    """What happened to a thread; the `event` of the live notice."""

    CREATED = "created"
    REPLIED = "replied"
    EDITED = "edited"
    DELETED = "deleted"
    RESOLVED = "resolved"
    REOPENED = "reopened"


_STATUS_MOVES = {
    (ThreadStatus.OPEN, Event.RESOLVED): ThreadStatus.RESOLVED,
    (ThreadStatus.RESOLVED, Event.REOPENED): ThreadStatus.OPEN,
}


def transition(status: ThreadStatus, event: Event) -> ThreadStatus:
    """The thread's status machine: open ⇄ resolved; any other move is refused (409)."""
    after = _STATUS_MOVES.get((status, event))
    if after is None:
        raise Conflict(f"the thread is {status.value}: it cannot be {event.value}")
    return after


# `@bob` (an email's local part) or `@bob@acme.example` (a whole email), not inside a word.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def mention_handles(body: str) -> list[str]:
    """The mentioned handles of a body, lower-cased, in order, without repeats."""
    handles: list[str] = []
    for match in _MENTION.finditer(body):
        handle = match.group(1).rstrip(".").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return handles[:MAX_MENTIONS]


def match_members(handles: Sequence[str], members: Sequence[User]) -> list[User]:
    """Members named by the handles: a whole email, or a local part only one member has."""
    by_email = {user.email.lower(): user for user in members}
    by_local: dict[str, list[User]] = {}
    for user in members:
        by_local.setdefault(user.email.lower().split("@")[0], []).append(user)
    found: list[User] = []
    for handle in handles:
        same_local = by_local.get(handle, [])
        named = by_email.get(handle) or (same_local[0] if len(same_local) == 1 else None)
        if named is not None and named not in found:
            found.append(named)
    return found


async def _members(db: AsyncSession, org_id: str) -> list[User]:
    return await org_users(db, org_id)


async def _mentioned(db: AsyncSession, org_id: str, body: str) -> list[User]:
    handles = mention_handles(body)
    return match_members(handles, await _members(db, org_id)) if handles else []


async def mentionable(db: AsyncSession, org_id: str) -> list[dict[str, str]]:
    """The organization's members with the shortest handle that names each of them."""
    users = await _members(db, org_id)
    locals_ = [user.email.lower().split("@")[0] for user in users]
    return [
        {
            "id": user.id,
            "name": user.name,
            "handle": local if locals_.count(local) == 1 else user.email.lower(),
        }
        for user, local in zip(users, locals_, strict=True)
    ]


@dataclass(slots=True)
class Change:
    """A committed-to-be change: the thread, what happened and whom to notify."""

    thread: CommentThread
    event: Event
    deliveries: list[Delivery] = field(default_factory=list)


def _commenter(found: InvoiceAccess) -> None:
    if not found.can(Capability.INVOICE_COMMENT):
        raise Forbidden(f"a {found.member.role} can read comments but not write them")


async def find_thread(db: AsyncSession, found: InvoiceAccess, thread_id: str) -> CommentThread:
    """A thread of this invoice; any other id is the same 404."""
    thread = await db.get(CommentThread, thread_id) if _is_uuid(thread_id) else None
    if thread is None or thread.invoice_id != found.invoice.id:
        raise NotFound("no such comment thread")
    return thread


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _add_comment(
    db: AsyncSession, found: InvoiceAccess, thread: CommentThread, body: str
) -> list[Delivery]:
    now = datetime.now(UTC)
    comment = Comment(
        id=str(uuid.uuid4()),
        thread_id=thread.id,
        author_id=found.member.user.id,
        body=body,
        created_at=now,
    )
    db.add(comment)
    thread.updated_at = now
    await db.flush()
    mentioned = await _mentioned(db, found.invoice.org_id, body)
    await events.emit(
        db,
        org_id=found.invoice.org_id,
        type=events.EventType.COMMENT_CREATED,
        data={
            "invoice_id": found.invoice.id,
            "thread_id": thread.id,
            "comment_id": comment.id,
            "author_id": comment.author_id,
            "excerpt": events.excerpt(body),
            "mentioned_user_ids": [user.id for user in mentioned],
        },
        actor_id=comment.author_id,
    )
    return await _mention(db, found, thread, comment, mentioned)


async def _mention(
    db: AsyncSession,
    found: InvoiceAccess,
    thread: CommentThread,
    comment: Comment,
    users: Sequence[User],
    *,
    notify_except: set[str] | frozenset[str] = frozenset(),
) -> list[Delivery]:
    """Record who a comment mentions and notify them (but not those in `notify_except`)."""
    for user in users:
        db.add(CommentMention(comment_id=comment.id, user_id=user.id))
    return await notifications.mention(
        db,
        recipients=[user for user in users if user.id not in notify_except],
        actor=found.member.user,
        org_id=found.invoice.org_id,
        invoice_id=found.invoice.id,
        thread_id=thread.id,
        comment=comment,
    )


async def create_thread(
    db: AsyncSession, *, found: InvoiceAccess, anchor: Anchor, body: str, rows: set[str]
) -> Change:
    """`rows`: the document's rows as `<root>.<row id>` (a thread on a missing one is refused)."""
    _commenter(found)
    if anchor.orphaned(rows):
        raise BadRequest(f"the invoice has no {anchor.row()}")
    count = await db.scalar(
        select(func.count()).where(CommentThread.invoice_id == found.invoice.id)
    )
    if (count or 0) >= MAX_THREADS_PER_INVOICE:
        raise Conflict(f"an invoice holds at most {MAX_THREADS_PER_INVOICE} comment threads")
    thread = await _new_thread(db, found, anchor)
    return Change(thread, Event.CREATED, await _add_comment(db, found, thread, body))


async def post_reason(db: AsyncSession, *, found: InvoiceAccess, body: str) -> Change:
    """A thread on the whole invoice (path `invoice`, which clients cannot anchor to), by the
    caller, in the caller's transaction: how a rejection's reason reaches the invoice's people
    (docs/workflow.md). No thread limit: a rejection is never refused for want of room. The
    invoice's creator is notified as if mentioned."""
    thread = await _new_thread(db, found, Anchor(DOCUMENT_PATH))
    deliveries = await _add_comment(db, found, thread, body[:MAX_BODY])
    creator = found.invoice.created_by
    if creator != found.member.user.id and not any(d.user_id == creator for d in deliveries):
        [comment] = await db.scalars(select(Comment).where(Comment.thread_id == thread.id))
        users = await users_by_id(db, {creator})
        deliveries += await _mention(db, found, thread, comment, list(users.values()))
    return Change(thread, Event.CREATED, deliveries)


async def announce(change: Change) -> None:
    """After the commit: tell those a change concerns (notifiers' failures are only logged)."""
    await notifications.NOTIFIERS.dispatch(change.deliveries)


async def _new_thread(db: AsyncSession, found: InvoiceAccess, anchor: Anchor) -> CommentThread:
    now = datetime.now(UTC)
    thread = CommentThread(
        id=str(uuid.uuid4()),
        invoice_id=found.invoice.id,
        path=anchor.path,
        range_start=anchor.start,
        range_end=anchor.end,
        quote=anchor.quote,
        status=ThreadStatus.OPEN.value,
        created_by=found.member.user.id,
        created_at=now,
        updated_at=now,
    )
    db.add(thread)
    await db.flush()
    changes.after_commit(db, found.invoice.org_id, found.invoice.id)  # the board's count
    return thread


async def reply(db: AsyncSession, *, found: InvoiceAccess, thread_id: str, body: str) -> Change:
    """Add a comment to a thread (open or resolved; a reply does not change its status)."""
    _commenter(found)
    thread = await find_thread(db, found, thread_id)
    count = await db.scalar(select(func.count()).where(Comment.thread_id == thread.id))
    if (count or 0) >= MAX_COMMENTS_PER_THREAD:
        raise Conflict(f"a thread holds at most {MAX_COMMENTS_PER_THREAD} comments")
    return Change(thread, Event.REPLIED, await _add_comment(db, found, thread, body))


async def _own_comment(
    db: AsyncSession, found: InvoiceAccess, thread: CommentThread, comment_id: str, verb: str
) -> Comment:
    comment = await db.get(Comment, comment_id) if _is_uuid(comment_id) else None
    if comment is None or comment.thread_id != thread.id:
        raise NotFound("no such comment")
    if comment.author_id != found.member.user.id:
        raise Forbidden(f"only its author can {verb} a comment")
    if comment.deleted_at is not None:
        raise Conflict("the comment was deleted")
    return comment


async def edit(
    db: AsyncSession, *, found: InvoiceAccess, thread_id: str, comment_id: str, body: str
) -> Change:
    """Change one's own comment; members it newly mentions are notified."""
    _commenter(found)
    thread = await find_thread(db, found, thread_id)
    comment = await _own_comment(db, found, thread, comment_id, "edit")
    before = set(
        await db.scalars(
            select(CommentMention.user_id).where(CommentMention.comment_id == comment.id)
        )
    )
    now = datetime.now(UTC)
    comment.body, comment.edited_at, thread.updated_at = body, now, now
    await db.execute(delete(CommentMention).where(CommentMention.comment_id == comment.id))
    mentioned = await _mentioned(db, found.invoice.org_id, body)
    deliveries = await _mention(db, found, thread, comment, mentioned, notify_except=before)
    return Change(thread, Event.EDITED, deliveries)


async def remove(
    db: AsyncSession, *, found: InvoiceAccess, thread_id: str, comment_id: str
) -> Change:
    """Delete one's own comment: it stays in the thread as deleted, its text is erased."""
    _commenter(found)
    thread = await find_thread(db, found, thread_id)
    comment = await _own_comment(db, found, thread, comment_id, "delete")
    now = datetime.now(UTC)
    comment.body, comment.deleted_at, thread.updated_at = None, now, now
    await db.execute(delete(CommentMention).where(CommentMention.comment_id == comment.id))
    await db.flush()
    return Change(thread, Event.DELETED)


async def set_status(
    db: AsyncSession, *, found: InvoiceAccess, thread_id: str, event: Event
) -> Change:
    """Resolve or reopen a thread (any member who may comment)."""
    _commenter(found)
    thread = await find_thread(db, found, thread_id)
    status = transition(ThreadStatus(thread.status), event)
    now = datetime.now(UTC)
    thread.status, thread.updated_at = status.value, now
    resolved = status is ThreadStatus.RESOLVED
    thread.resolved_by = found.member.user.id if resolved else None
    thread.resolved_at = now if resolved else None
    await db.flush()
    changes.after_commit(db, found.invoice.org_id, found.invoice.id)  # the board's count
    return Change(thread, event)


async def threads_of(
    db: AsyncSession, invoice_id: str, *, status: ThreadStatus | None = None
) -> list[CommentThread]:
    query = select(CommentThread).where(CommentThread.invoice_id == invoice_id)
    if status is not None:
        query = query.where(CommentThread.status == status.value)
    return list(await db.scalars(query.order_by(CommentThread.created_at, CommentThread.id)))


async def open_thread_counts(db: AsyncSession, invoice_ids: Select[str]) -> dict[str, int]:
    """How many open threads each of `invoice_ids` (a query of ids: a whole board's worth
    needs no parameter list) has, for those that have any."""
    rows = await db.execute(
        select(CommentThread.invoice_id, func.count())
        .where(
            CommentThread.invoice_id.in_(invoice_ids),
            CommentThread.status == ThreadStatus.OPEN.value,
        )
        .group_by(CommentThread.invoice_id)
    )
    return {invoice_id: int(count) for invoice_id, count in rows.all()}
