"""`fully_integrated`, the check that keeps the log loadable, on deletions: an update that deletes
items the document has not seen leaves them pending in Yrs and must be refused; the same update
once the items arrived is fine, whatever other writers the state vector lists."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc

from collab.sync.integrity import fully_integrated


def _edit(doc: Doc[Any], change: Any) -> bytes:
    before = doc.get_state()
    change(doc.get("lines", type=Array))
    return doc.get_update(before)


def _server(writers: int) -> Doc[Any]:
    """A document that already holds one line from each of `writers` other clients."""
    server: Doc[Any] = Doc(client_id=1)
    for n in range(writers):
        other: Doc[Any] = Doc(client_id=1000 + n)
        other.apply_update(server.get_update())
        server.apply_update(_edit(other, lambda lines, n=n: lines.append(f"w{n}")))
    return server


def test_a_deletion_of_unseen_items_is_pending_and_accepted_once_they_arrived() -> None:
    for writers in (0, 1, 40):
        server = _server(writers)
        author: Doc[Any] = Doc(client_id=500)
        author.apply_update(server.get_update())
        added = _edit(author, lambda lines: lines.extend(["a", "b"]))
        removed = _edit(author, lambda lines: lines.pop())
        server.apply_update(removed)  # "b" is unknown here: the deletion stays pending
        assert not fully_integrated(removed, server.get_state()), writers
        server.apply_update(added)
        server.apply_update(removed)
        assert fully_integrated(removed, server.get_state()), writers
        assert fully_integrated(added, server.get_state()), writers


def test_one_unseen_client_among_seen_ones_is_enough_to_refuse() -> None:
    server = _server(3)
    seen: Doc[Any] = Doc(client_id=600)
    seen.apply_update(server.get_update())
    server.apply_update(_edit(seen, lambda lines: lines.append("seen")))
    unseen: Doc[Any] = Doc(client_id=700)
    unseen.apply_update(server.get_update())
    hidden = _edit(unseen, lambda lines: lines.append("hidden"))  # never sent to the server
    # A third client that saw both deletes one line of each, in one update.
    both: Doc[Any] = Doc(client_id=800)
    both.apply_update(server.get_update())
    both.apply_update(hidden)
    removal = _edit(both, lambda lines: (lines.pop(), lines.pop()))
    server.apply_update(removal)
    assert not fully_integrated(removal, server.get_state())
    server.apply_update(hidden)
    server.apply_update(removal)
    assert fully_integrated(removal, server.get_state())
