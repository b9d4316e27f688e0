"""Reading an invoice document as JSON, from its live room or from storage."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from collab.sync import RoomRegistry, UpdateStore


def document_json(doc: Doc[Any]) -> dict[str, Any]:
    return {
        "invoice": doc.get("invoice", type=Map).to_py() or {},
        "lines": doc.get("lines", type=Array).to_py() or [],
    }


async def read_document(registry: RoomRegistry, store: UpdateStore, doc_id: str) -> dict[str, Any]:
    """The live state if the invoice is open, else the stored one (without loading a room)."""
    room = registry.get(doc_id)
    if room is not None:
        return document_json(room.doc)
    stored = await store.load(doc_id)
    return document_json(stored.to_doc())
