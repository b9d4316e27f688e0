"""Whether an update only types: its structs are strings and deleted ranges, nothing else.

The inspection reads a text's changes (its delta) for two things: to find anything but plain
text put into it, and to undo a refused update. Yrs computes a delta by walking the text from
its start over every item, deleted ones included; in a description typed at random places by
ten writers (`bench/fanout_mix.mjs`) that grew to 230 us an event after 6,000 edits. An update
whose every struct is a string or a deleted range cannot put anything but plain text into a
text, so the inspection leaves the delta unread for it: it records the edit, checks the text's
length, and inspects the update again in full should it be refused (collab/sync/inspect.py).

The walk follows Yjs' update encoding (v1): groups of structs by client, each struct an info
byte (content kind in its low 5 bits, origins and parent flags above), then its origins or
its parent, then its content. The delete set after them is not read.
"""

from __future__ import annotations

from collab.sync.errors import ProtocolError
from collab.sync.protocol import Reader

_GC, _DELETED, _STRING, _SKIP = 0, 1, 4, 10  # Yjs' content reference numbers
_ORIGIN, _RIGHT_ORIGIN, _PARENT_SUB = 0x80, 0x40, 0x20
# Typing, a paste or an autocorrection is a few structs. Past this many (groups and structs),
# the update takes the full path rather than a walk in Python as long as the frame allows.
_MAX_STRUCTS = 256


def only_typing(update: bytes) -> bool:
    """True if every struct of `update` is a string or a deleted range (or a gap); False
    otherwise, for bytes that do not read as an update, and past `_MAX_STRUCTS`."""
    reader = Reader(update)
    budget = _MAX_STRUCTS
    try:
        for _ in range(reader.var_uint()):
            structs = reader.var_uint()
            budget -= 1 + structs
            if budget < 0:
                return False
            reader.var_uint()  # the client
            reader.var_uint()  # the first clock
            for _ in range(structs):
                info = reader.byte()
                kind = info & 0x1F
                if kind in (_GC, _SKIP):
                    reader.var_uint()  # the length
                    continue
                if info & _ORIGIN:
                    reader.var_uint(), reader.var_uint()
                if info & _RIGHT_ORIGIN:
                    reader.var_uint(), reader.var_uint()
                if not info & (_ORIGIN | _RIGHT_ORIGIN):
                    if reader.var_uint():  # the parent is a root, by name
                        reader.var_bytes()
                    else:  # the parent is an item, by id
                        reader.var_uint(), reader.var_uint()
                    if info & _PARENT_SUB:
                        reader.var_bytes()
                if kind == _STRING:
                    reader.var_bytes()
                elif kind == _DELETED:
                    reader.var_uint()
                else:
                    return False
    except ProtocolError:
        return False
    return True
