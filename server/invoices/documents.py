"""Reading an invoice document as JSON, from its live room or from storage."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from collab.invoice.document import INVOICE_SHAPE
from collab.sync import RoomRegistry, UpdateStore


def document_json(doc: Doc[Any]) -> dict[str, Any]:
    """`{"invoice": {...}, "lines": [...], "adjustments": [...]}`: every root of the shape,
    empty when the document has none yet."""
    found: dict[str, Any] = {
        INVOICE_SHAPE.header_root: doc.get(INVOICE_SHAPE.header_root, type=Map).to_py() or {}
    }
    for rows in INVOICE_SHAPE.rows:
        found[rows.root] = doc.get(rows.root, type=Array).to_py() or []
    return found


async def read_document(registry: RoomRegistry, store: UpdateStore, doc_id: str) -> dict[str, Any]:
    """The live state if the invoice is open, else the stored one (without loading a room)."""
    room = registry.get(doc_id)
    if room is not None:
        return document_json(room.doc)
    stored = await store.load(doc_id)
    return document_json(stored.to_doc())
