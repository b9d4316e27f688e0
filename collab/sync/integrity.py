"""Whether a document integrated *all* of an update: the check that keeps the log loadable.

Yrs keeps the parts of an update it cannot integrate yet (structs whose predecessors it lacks,
deletions of items it has not seen) as *pending*, silently. Pending content fires no event, so
the inspector never sees it; it is not in `Doc.get_update()`, so a snapshot drops it; and when
a later update supplies what was missing, it appears in the live document unchecked, while the
snapshot plus the log replay to another document (or, in one transaction, fail: "block parent
must be deleted"). An update that leaves anything pending is therefore never accepted.

The check is cheap on the honest path: one diff of the update against the document's state
vector (done by Yrs) and a walk over the update's delete set (a few var-uints).
"""

from __future__ import annotations

from pycrdt import get_update

from collab.sync.protocol import Reader

_NOTHING = b"\x00\x00"  # an update without structs and with an empty delete set


def fully_integrated(update: bytes, state_after: bytes) -> bool:
    """True if a document whose state vector is `state_after` (taken after applying `update`)
    holds every struct and every deletion of `update`, with nothing left pending."""
    left = get_update(update, state_after)
    if left == _NOTHING:
        return True  # no struct beyond the state vector, no deletion: most typing
    rest = Reader(left)
    if rest.var_uint():
        return False  # structs the state vector does not cover: pending
    # Each client the delete set names -> the clock its deletions must be below.
    needed: dict[int, int] = {}
    for _ in range(rest.var_uint()):
        client = rest.var_uint()
        end = 0
        for _ in range(rest.var_uint()):
            clock = rest.var_uint()
            end = max(end, clock + rest.var_uint())
        needed[client] = max(end, needed.get(client, 0))
    if not needed:
        return True
    # The state vector lists every client that ever wrote (hundreds in an old invoice): read
    # it only until the few the delete set names are found.
    reader = Reader(state_after)
    for _ in range(reader.var_uint()):
        client = reader.var_uint()
        clock = reader.var_uint()
        if client in needed:
            if needed.pop(client) > clock:
                return False  # deletes an item the document has not seen: pending
            if not needed:
                return True
    return not any(needed.values())  # a client never seen: only an empty range is harmless
