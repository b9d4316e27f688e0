"""State vectors and delete sets as Yjs encodes them: what a process announces of a document
so that another can tell what it lacks (collab/sync/cluster.py)."""

from __future__ import annotations

import hashlib

from collab.sync.protocol import Reader


def decode_state_vector(data: bytes) -> dict[int, int]:
    """client id -> the number of its items a document holds."""
    reader = Reader(data)
    return {reader.var_uint(): reader.var_uint() for _ in range(reader.var_uint())}


def delete_set_digest(update_without_structs: bytes) -> bytes:
    """A digest of the delete set of an update holding no structs (`doc.get_update(doc.
    get_state())`), independent of the order the encoder wrote the clients in. Two documents
    with equal state vectors and equal digests hold the same content."""
    reader = Reader(update_without_structs)
    if reader.var_uint() != 0:
        raise ValueError("an update with structs")
    ranges = []
    for _ in range(reader.var_uint()):
        client = reader.var_uint()
        spans = sorted((reader.var_uint(), reader.var_uint()) for _ in range(reader.var_uint()))
        ranges.append((client, spans))
    return hashlib.blake2b(repr(sorted(ranges)).encode(), digest_size=16).digest()
