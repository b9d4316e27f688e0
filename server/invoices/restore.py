"""Restoring a draft to what it was after an earlier update, as a new change.

The target content comes from replaying the log (server/invoices/history.py); the change is the
smallest edit of the live document that makes its content equal to it (header fields set or
removed one by one, text fields edited between their common prefix and suffix, rows of every
collection (lines, adjustments) kept, edited, inserted or removed by id), made in one
transaction on a copy of the live document and applied to the room as a server change, so that
it is logged, attributed to whoever asked for it, and fanned out to every open client like any
edit.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.document import INVOICE_SHAPE
from collab.shape import Field, Rows
from collab.sync.undo import plain, prelim

RESTORE_ORIGIN = "cofacture-restore"
_EMPTY_UPDATE = b"\x00\x00"


def restore_update(live: Doc[Any], target: dict[str, Any]) -> bytes | None:
    """The update that turns `live`'s content into `target` (`{"invoice", "lines",
    "adjustments"}` as document_json gives it; a root it leaves out is made empty), or None
    when they are equal already. `live` is not changed."""
    copy: Doc[Any] = Doc()
    copy.apply_update(live.get_update())
    captured: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        captured.append(event.update)

    subscription = copy.observe(capture)
    try:
        with copy.transaction(origin=RESTORE_ORIGIN):
            header = INVOICE_SHAPE.header_root
            _restore_map(copy.get(header, type=Map), target.get(header) or {}, INVOICE_SHAPE.header)
            for rows in INVOICE_SHAPE.rows:
                _restore_rows(copy.get(rows.root, type=Array), target.get(rows.root) or [], rows)
    finally:
        copy.unobserve(subscription)
    update = b"".join(captured[:1])
    return None if update in (b"", _EMPTY_UPDATE) else update


def _restore_map(node: Map[Any], target: dict[str, Any], schema: Field | None) -> None:
    fields = schema.fields if schema is not None and schema.fields is not None else {}
    for key in sorted(set(node.keys()) - set(target)):
        del node[key]
    for key, value in target.items():
        current = node.get(key)
        sub = fields.get(key)
        if isinstance(value, dict) and isinstance(current, Map):
            _restore_map(current, value, sub)
        elif isinstance(value, str) and isinstance(current, Text):
            _edit_text(current, value)
        elif plain(current) != value:
            # A plain string stays plain (a simple client wrote it); anything else is made
            # the type the shape gives it (a Y.Text for notes and descriptions).
            plain_string = isinstance(current, str) and isinstance(value, str)
            node[key] = value if plain_string else prelim(value, sub)


def _edit_text(text: Text, value: str) -> None:
    """Replace only what differs between the common prefix and suffix (pycrdt's offsets are
    UTF-8 bytes), so concurrent typing elsewhere in the text survives."""
    old = str(text)
    if old == value:
        return
    start = 0
    while start < min(len(old), len(value)) and old[start] == value[start]:
        start += 1
    end = 0
    while end < min(len(old), len(value)) - start and old[-1 - end] == value[-1 - end]:
        end += 1
    at = len(old[:start].encode())
    removed = len(old[start : len(old) - end].encode())
    if removed:
        del text[at : at + removed]
    middle = value[start : len(value) - end]
    if middle:
        text.insert(at, middle)


def _row_id(item: object, rows: Rows) -> object:
    return item.get(rows.row_id) if isinstance(item, Map) else None


def _restore_rows(array: Array[Any], target: list[dict[str, Any]], rows: Rows) -> None:
    wanted = [row.get(rows.row_id) for row in target]
    keep = set(wanted)
    for position in reversed(range(len(array))):
        if _row_id(array[position], rows) not in keep:
            del array[position]
    for position, (row_id, row) in enumerate(zip(wanted, target, strict=True)):
        current = array[position] if position < len(array) else None
        if isinstance(current, Map) and _row_id(current, rows) == row_id:
            _restore_map(current, row, rows.row)
            continue
        # Out of order (or missing): a moved row is removed and inserted where it belongs.
        later = next(
            (p for p in range(position + 1, len(array)) if _row_id(array[p], rows) == row_id),
            None,
        )
        if later is not None:
            del array[later]
        array.insert(position, prelim(row, rows.row))
    if len(array) > len(target):
        del array[len(target) :]
