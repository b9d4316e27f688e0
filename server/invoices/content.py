"""Server-made changes of a draft's content, through its live room: written as one change of the
user who asked, so it is logged, attributed in the history and fanned out like any edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from collab.invoice.document import MAX_LINES, ROOT_LINES
from collab.sync import LoadError, Room, RoomRegistry
from server.core.errors import Conflict
from server.invoices.documents import document_json
from server.invoices.restore import restore_update

# How long a change waits for the room's queued updates to be durable before saying its seq
# (a few ms normally; storage trouble must not hang the request).
_FLUSH_WAIT_SECONDS = 2.0

# The content to write, from the live document as it is at that moment.
Target = Callable[[Doc[Any]], dict[str, Any]]


async def write_content(
    registry: RoomRegistry, invoice_id: str, target: dict[str, Any], *, user_id: str
) -> int | None:
    """Make the draft's content `target` (`{"invoice", "lines"}`) by one change of `user_id`'s;
    the seq of that change, or None when the content was `target` already. 409 when the room
    is frozen or its storage refuses writes."""
    return await _change(registry, invoice_id, lambda _: target, user_id=user_id)


async def add_lines(
    registry: RoomRegistry, invoice_id: str, lines: list[dict[str, Any]], *, user_id: str
) -> int | None:
    """Append `lines` (rows of the document's `lines`, new ids) to the draft by one change of
    `user_id`'s, after whatever it holds at that moment. The seq of that change; 409 when the
    room is frozen, refuses writes, or the draft would exceed its line limit."""

    def appended(doc: Doc[Any]) -> dict[str, Any]:
        current = document_json(doc)
        present = current.get(ROOT_LINES) or []
        if len(present) + len(lines) > MAX_LINES:
            raise Conflict(f"an invoice holds at most {MAX_LINES} lines", code="too_many_lines")
        return {**current, ROOT_LINES: [*present, *lines]}

    return await _change(registry, invoice_id, appended, user_id=user_id)


async def _change(
    registry: RoomRegistry, invoice_id: str, target: Target, *, user_id: str
) -> int | None:
    try:
        room = await registry.acquire(invoice_id)
    except LoadError:
        raise Conflict("the invoice cannot be loaded right now; try again later") from None
    try:
        # From reading the document to the change, nothing awaits: no edit can slip in.
        refusal = room.frozen or registry.persister.refusal(room.doc_id)
        if refusal is not None:
            raise Conflict(refusal)
        update = restore_update(room.doc, target(room.doc))
        if update is not None:
            room.apply_server_change(update, user_id=user_id)
        await registry.persister.flush(_FLUSH_WAIT_SECONDS, doc_id=room.doc_id)
        new_seq = await registry.last_seq(room.doc_id) if update is not None else None
    finally:
        registry.release(room)
    return new_seq


def reset_content(room: Room, target: dict[str, Any]) -> bool:
    """Give a loaded room's document the content `target` again, by one change of the server's
    own (no author), frozen or not: undoing what should not have come in. False when it had
    that content already."""
    if document_json(room.doc) == target:
        return False
    update = restore_update(room.doc, target)
    if update is None:
        return False
    room.apply_server_change(update, user_id=None)
    return True
