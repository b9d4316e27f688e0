"""Restoring a draft to what it was after an earlier update, as a new change.

The target content comes from replaying the log (server/invoices/history.py); the change is the
smallest edit of the live document that makes its content equal to it (header fields set or
removed one by one, text fields edited between their common prefix and suffix, lines kept,
edited, inserted or removed by id), made in one transaction on a copy of the live document and
applied to the room as a server change, so that it is logged, attributed to whoever asked for
it, and fanned out to every open client like any edit.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent

from collab.invoice.document import HEADER, LINE, LINE_ID, ROOT_INVOICE, ROOT_LINES
from collab.shape import Field
from collab.sync.undo import plain, prelim

RESTORE_ORIGIN = "cofacture-restore"
_EMPTY_UPDATE = b"\x00\x00"


def restore_update(live: Doc[Any], target: dict[str, Any]) -> bytes | None:
    """The update that turns `live`'s content into `target` (`{"invoice", "lines"}` as
    document_json gives it), or None when they are equal already. `live` is not changed."""
    copy: Doc[Any] = Doc()
    copy.apply_update(live.get_update())
    captured: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        captured.append(event.update)

    subscription = copy.observe(capture)
    try:
        with copy.transaction(origin=RESTORE_ORIGIN):
            _restore_map(copy.get(ROOT_INVOICE, type=Map), target.get("invoice") or {}, HEADER)
            _restore_lines(copy.get(ROOT_LINES, type=Array), target.get("lines") or [])
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


def _line_id(item: object) -> object:
    return item.get(LINE_ID) if isinstance(item, Map) else None


def _restore_lines(lines: Array[Any], target: list[dict[str, Any]]) -> None:
    wanted = [line.get(LINE_ID) for line in target]
    keep = set(wanted)
    for position in reversed(range(len(lines))):
        if _line_id(lines[position]) not in keep:
            del lines[position]
    for position, (line_id, line) in enumerate(zip(wanted, target, strict=True)):
        current = lines[position] if position < len(lines) else None
        if isinstance(current, Map) and _line_id(current) == line_id:
            _restore_map(current, line, LINE)
            continue
        # Out of order (or missing): a moved line is removed and inserted where it belongs.
        later = next(
            (p for p in range(position + 1, len(lines)) if _line_id(lines[p]) == line_id), None
        )
        if later is not None:
            del lines[later]
        lines.insert(position, prelim(line, LINE))
    if len(lines) > len(target):
        del lines[len(target) :]
