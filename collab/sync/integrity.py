"""Whether a document integrated *all* of an update: the check that keeps the log loadable.

Yrs keeps the parts of an update it cannot integrate yet (structs whose predecessors it lacks,
deletions of items it has not seen) as *pending*, silently. Pending content fires no event, so
the inspector never sees it; it is not in `Doc.get_update()`, so a snapshot drops it; and when
a later update supplies what was missing, it appears in the live document unchecked, while the
snapshot plus the log replay to another document (or, in one transaction, fail: "block parent
must be deleted"). An update that leaves anything pending is therefore never accepted.

The check is cheap on the honest path: one diff of the update against the document's state
vector (done by Yrs), a walk over the update's delete set (a few var-uints), and a look-up of
the clients it deletes from in what the document is known to hold (`Integrity`), the state
vector being read only when that record cannot tell.
"""

from __future__ import annotations

from pycrdt import get_update

from collab.sync.protocol import Reader
from collab.sync.state_vectors import decode_state_vector

_NOTHING = b"\x00\x00"  # an update without structs and with an empty delete set
_SKIP = 10  # Yjs' struct reference number of a Skip (a gap), in the low 5 bits of its info


def fully_integrated(update: bytes, state_after: bytes) -> bool:
    """True if a document whose state vector is `state_after` (taken after applying `update`)
    holds every struct and every deletion of `update`, with nothing left pending."""
    return Integrity().check(update, state_after)


class Integrity:
    """`fully_integrated` over the successive updates of one document.

    The delete-set check needs, for each client an update deletes from, the clock the document
    reached for it. The state vector lists every client that ever wrote (hundreds in an old
    invoice), and reading it in Python per update cost 136 us with 50 writers and 571 us with
    300 (bench/inspect_cost.py --writers; 13 and 20 us kept). This keeps a *lower bound* per
    client instead: a document's clocks only grow, so a bound at or past a deletion's end
    proves the deleted items seen; only when no bound does is the state vector read, and every
    bound is then made exact. Each checked update raises its first author's bound past its
    first struct: most deletions (a value replaced, a character removed) are of items an update
    already checked brought.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}  # client -> a clock the document holds at least

    def check(self, update: bytes, state_after: bytes) -> bool:
        left = get_update(update, state_after)
        if left != _NOTHING:
            rest = Reader(left)
            if rest.var_uint():
                return False  # structs the state vector does not cover: pending
            needed = _deletion_ends(rest)
        else:
            needed = {}  # no struct beyond the state vector, no deletion: most typing
        self._raise_bound(update)
        seen = self._seen
        if all(seen.get(client, -1) >= end for client, end in needed.items()):
            return True
        seen = self._seen = decode_state_vector(state_after)
        # A client the document never saw reads as 0: only an empty range is harmless.
        return all(seen.get(client, 0) >= end for client, end in needed.items())

    def _raise_bound(self, update: bytes) -> None:
        """Every struct of `update` is covered by the state vector after it (checked before
        this), so its first group's first struct is held: its client reached at least the
        clock after that struct's first. Not so for a Skip, which stands for nothing held."""
        reader = Reader(update)
        if not reader.var_uint() or not reader.var_uint():  # no group, or an empty one
            return
        client, clock = reader.var_uint(), reader.var_uint()
        info = reader.peek()  # the first struct's info byte; not `rest()`, a copy per update
        if info is not None and info & 0x1F != _SKIP and self._seen.get(client, -1) <= clock:
            self._seen[client] = clock + 1


def _deletion_ends(reader: Reader) -> dict[int, int]:
    """Each client a delete set names -> the clock its deletions end at."""
    needed: dict[int, int] = {}
    for _ in range(reader.var_uint()):
        client = reader.var_uint()
        end = 0
        for _ in range(reader.var_uint()):
            clock = reader.var_uint()
            end = max(end, clock + reader.var_uint())
        needed[client] = max(end, needed.get(client, 0))
    return needed
