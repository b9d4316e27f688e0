"""Comment threads as the API returns them: with their comments, authors and mentions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.service import User, users_by_id
from server.comments.anchors import Anchor
from server.comments.models import Comment, CommentMention, CommentThread


async def as_json(
    db: AsyncSession, threads: Sequence[CommentThread], row_paths: set[str]
) -> list[dict[str, Any]]:
    """Threads with their comments, authors and mentions, as the API returns them."""
    ids = [thread.id for thread in threads]
    comments = list(
        await db.scalars(
            select(Comment)
            .where(Comment.thread_id.in_(ids))
            .order_by(Comment.created_at, Comment.id)
        )
    )
    mentions: dict[str, list[str]] = {}
    rows = await db.execute(
        select(CommentMention.comment_id, CommentMention.user_id).where(
            CommentMention.comment_id.in_([c.id for c in comments])
        )
    )
    for comment_id, user_id in rows:
        mentions.setdefault(comment_id, []).append(user_id)
    user_ids = {t.created_by for t in threads} | {t.resolved_by for t in threads if t.resolved_by}
    user_ids |= {c.author_id for c in comments} | {u for us in mentions.values() for u in us}
    users = await users_by_id(db, set(user_ids))
    by_thread: dict[str, list[dict[str, Any]]] = {thread_id: [] for thread_id in ids}
    for comment in comments:
        by_thread[comment.thread_id].append(
            _comment_json(comment, users, sorted(mentions.get(comment.id, [])))
        )
    return [_thread_json(t, users, by_thread[t.id], row_paths) for t in threads]


def _person(users: dict[str, User], user_id: str | None) -> dict[str, str] | None:
    if user_id is None:
        return None
    user = users.get(user_id)
    return {"id": user_id, "name": user.name if user else ""}


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _comment_json(comment: Comment, users: dict[str, User], mentioned: list[str]) -> dict[str, Any]:
    deleted = comment.deleted_at is not None
    return {
        "id": comment.id,
        "author": _person(users, comment.author_id),
        "body": comment.body,
        "mentions": [
            {"id": u, "name": users[u].name, "email": users[u].email}
            for u in mentioned
            if u in users
        ],
        "created_at": comment.created_at.isoformat(),
        "edited_at": _when(comment.edited_at),
        "deleted": deleted,
        "deleted_at": _when(comment.deleted_at),
    }


def _thread_json(
    thread: CommentThread,
    users: dict[str, User],
    comments: list[dict[str, Any]],
    row_paths: set[str],
) -> dict[str, Any]:
    anchor = Anchor(thread.path, thread.range_start, thread.range_end, thread.quote)
    return {
        "id": thread.id,
        "invoice_id": thread.invoice_id,
        "anchor": anchor.as_json(),
        "orphaned": anchor.orphaned(row_paths),
        "status": thread.status,
        "created_by": _person(users, thread.created_by),
        "created_at": thread.created_at.isoformat(),
        "updated_at": thread.updated_at.isoformat(),
        "resolved_by": _person(users, thread.resolved_by),
        "resolved_at": _when(thread.resolved_at),
        "comments": comments,
    }
