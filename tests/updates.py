"""Recording the updates a pycrdt document produces, as a Yjs client would send them."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, TransactionEvent


def recorded(doc: Doc[Any]) -> list[bytes]:
    """A list that receives every update of `doc` from now on, one per transaction."""
    out: list[bytes] = []

    def capture(event: TransactionEvent) -> None:
        out.append(event.update)

    doc.observe(capture)
    return out
