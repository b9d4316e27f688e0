"""Mutated e-invoices fed to the reader: it refuses (UnreadableInvoice) or accepts, never
anything else; what it accepts fits the document's shape and survives being stored and loaded.

Size: IMPORT_FUZZ_EXAMPLES examples (CI runs the default, 150; e.g. 5000 for a longer hunt)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc

from collab.invoice.document import HEADER, INVOICE_SHAPE, LINE, MAX_LINES
from collab.invoice.en16931.parse import UnreadableInvoice, parse_invoice
from collab.shape import conforms
from collab.sync import Limits, MemoryStore, Persister, RoomRegistry
from server.invoices import service as invoices
from server.invoices.documents import document_json
from server.invoices.restore import restore_update

DATA = Path(__file__).parent / "data" / "einvoices"
SAMPLES = [path.read_bytes() for path in sorted(DATA.glob("*.xml"))]
EXAMPLES = int(os.environ.get("IMPORT_FUZZ_EXAMPLES", "150"))
# Text a mutation may put in place of an element's text: figures, odd ones, markup, unicode.
NASTY = st.sampled_from(
    ["", "-1", "1e9", "0.0000001", "9" * 60, "NaN", "&amp;", "<x/>", "é" * 300, "\u202e", "20"]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 3))
        at = draw(st.integers(0, len(data) - 1))
        end = min(len(data), at + draw(st.integers(0, 200)))
        if kind == 0:  # cut a slice
            del data[at:end]
        elif kind == 1:  # repeat a slice (whole elements, often)
            data[at:at] = data[at:end]
        elif kind == 2:  # replace the text of the next element
            close = data.find(b"<", data.find(b">", at) + 1)
            start = data.find(b">", at) + 1
            if 0 < start <= close:
                data[start:close] = draw(NASTY).encode()
        else:  # random bytes
            data[at:end] = draw(st.binary(max_size=20))
    return bytes(data)


def _stored_and_loaded(document: dict[str, Any]) -> dict[str, Any]:
    """What a draft holds after the import's write (the same update write_content applies)."""
    update = restore_update(Doc(), document)
    loaded: Doc[Any] = Doc()
    if update is not None:
        loaded.apply_update(update)
    return document_json(loaded)


def _check_accepted(document: dict[str, Any]) -> None:
    header, lines = document["invoice"], document["lines"]
    assert conforms(header, HEADER) is None, conforms(header, HEADER)
    assert len(lines) <= MAX_LINES
    assert len({line["id"] for line in lines}) == len(lines)
    for line in lines:
        assert conforms(line, LINE) is None, conforms(line, LINE)
    assert _stored_and_loaded(document) == {"adjustments": [], **document}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_invoices_are_refused_or_stored_intact(xml: bytes) -> None:
    try:
        imported = parse_invoice(xml)
    except UnreadableInvoice:
        return
    _check_accepted(imported.document)


async def test_accepted_mutations_go_through_a_real_room_and_come_back(tmp_path: Path) -> None:
    """The same property through write_content (a room, the persister, the store)."""
    store = MemoryStore()
    accepted = []
    for sample in SAMPLES:
        for cut in (len(sample) // 3, len(sample) // 2):
            try:
                accepted.append(parse_invoice(sample[:cut] + sample[cut + 40 :]).document)
            except UnreadableInvoice:
                continue
        accepted.append(parse_invoice(sample).document)
    async with (
        Persister(store) as persister,
        RoomRegistry(store, persister, Limits(), shape=INVOICE_SHAPE) as registry,
    ):
        for number, document in enumerate(accepted):
            doc_id = f"imported-{number}"
            await invoices.write_content(registry, doc_id, document, user_id="u1")
            stored = document_json((await store.load(doc_id)).to_doc())
            assert stored == {"adjustments": [], **document}
