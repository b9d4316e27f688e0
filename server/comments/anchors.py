"""Where a comment thread is anchored: a field, a row (a line, an allowance or charge), or a
text range (docs/comments.md).

A text range is a pair of Yjs relative positions (`Y.encodeRelativePosition`), created by the
client on its own copy of the document and stored as they came: they name CRDT items, not
offsets, so they follow every edit made before or inside the range. The server checks their
shape (base64, a lib0 encoding naming an item or a nested type, bounded size) but does not
resolve them to offsets: pycrdt's `StickyIndex` counts UTF-8 bytes across items and UTF-16 units
inside one, so its offsets are wrong for accented text. Clients resolve them with
`Y.createAbsolutePositionFromRelativePosition`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from collab.invoice.document import HEADER, INVOICE_SHAPE, ROOT_INVOICE
from collab.shape import Kind
from server.core.errors import BadRequest

MAX_PATH = 200
MAX_POSITION_BYTES = 64  # an encoded position is ~20 bytes: a kind, two var-uints, an assoc
MAX_QUOTE = 500  # characters of the quoted text kept; a longer one is shortened
MAX_TEXT = 10_000  # the longest text field (invoice.notes)

# Kinds of relative position in Yjs' encoding (yjs/src/utils/RelativePosition.js).
_ITEM, _ROOT, _TYPE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Anchor:
    path: str
    start: str | None = None  # base64 relative positions, for a text range
    end: str | None = None
    quote: str | None = None  # the text the range covered when the thread was created

    def row(self) -> str | None:
        """The row the anchor sits in, as `<root>.<row id>` (`lines.l1`), or None."""
        parts = self.path.split(".")
        in_rows = len(parts) > 1 and INVOICE_SHAPE.collection(parts[0]) is not None
        return f"{parts[0]}.{parts[1]}" if in_rows else None

    def orphaned(self, rows: set[str]) -> bool:
        """True when the anchored row (`rows` holds the document's, see `row`) is gone."""
        row = self.row()
        return row is not None and row not in rows

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"path": self.path}
        if self.start is not None:
            found.update(start=self.start, end=self.end, quote=self.quote)
        return found


def is_text_path(path: str) -> bool:
    """`invoice.notes` or `lines.<id>.description`: the text fields a range can sit in."""
    parts = path.split(".")
    if parts[0] == ROOT_INVOICE and len(parts) == 2 and HEADER.fields:
        field = HEADER.fields.get(parts[1])
    elif len(parts) == 3 and (rows := INVOICE_SHAPE.collection(parts[0])) and rows.row.fields:
        field = rows.row.fields.get(parts[2])
    else:
        return False
    return field is not None and field.kind is Kind.TEXT and INVOICE_SHAPE.valid_path(path)


def parse_anchor(
    path: str, *, start: str | None = None, end: str | None = None, quote: str | None = None
) -> Anchor:
    """Check an anchor whose shape the request model checked (`schemas.NewAnchor`: strings,
    lengths, `start` and `end` together, `quote` only with them) against the invoice schema;
    every problem is a 400 saying what is wrong."""
    if not INVOICE_SHAPE.valid_path(path):
        raise BadRequest(
            "`anchor.path` must name a field or a row, e.g. invoice.due_date, "
            "invoice.customer.name, lines.<line id>, lines.<line id>.unit_price "
            "or adjustments.<id>.reason"
        )
    if start is None or end is None:
        return Anchor(path)
    if not is_text_path(path):
        raise BadRequest("a text range needs a text path: invoice.notes or lines.<id>.description")
    if quote is not None and len(quote) > MAX_QUOTE:
        quote = quote[: MAX_QUOTE - 1] + "…"  # shown beside the thread; the range is exact
    return Anchor(path, _position(start, "start"), _position(end, "end"), quote)


def _position(value: str, name: str) -> str:
    problem = f"`anchor.{name}` must be a base64 Yjs relative position (Y.encodeRelativePosition)"
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(problem) from None
    if not 0 < len(raw) <= MAX_POSITION_BYTES or not _well_formed(raw):
        raise BadRequest(problem)
    return base64.b64encode(raw).decode()


def _well_formed(raw: bytes) -> bool:
    """A relative position inside a nested type: an item or type id, then an optional assoc."""
    reader = _Reader(raw)
    try:
        kind = reader.var_uint()
        if kind not in (_ITEM, _TYPE):  # a root (_ROOT) is never a comment's text
            return False
        reader.var_uint()  # client
        reader.var_uint()  # clock
        if not reader.done():
            reader.var_int()  # assoc (written by Yjs 13.5 and later)
    except IndexError:
        return False
    return reader.done()


class _Reader:
    """lib0 variable-length integers, as Yjs writes them."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def done(self) -> bool:
        return self._pos == len(self._data)

    def _byte(self) -> int:
        byte = self._data[self._pos]
        self._pos += 1
        return byte

    def var_uint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self._byte()
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value
            if shift > 63:
                raise IndexError("var-uint too long")

    def var_int(self) -> int:
        byte = self._byte()
        value, shift = byte & 0x3F, 6
        negative = bool(byte & 0x40)
        while byte & 0x80:
            byte = self._byte()
            value |= (byte & 0x7F) << shift
            shift += 7
            if shift > 63:
                raise IndexError("var-int too long")
        return -value if negative else value
