"""Every bound a client can push against, in one table.

`server/settings.py` fills it from the environment; the defaults are what a stock Yjs client
needs with room to spare.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    # An invoice's whole state is a few KB; a frame past 1 MiB is a bug or an attack.
    max_frame_bytes: int = 1024 * 1024
    # Frames waiting to be sent to one client. A client this far behind is disconnected and
    # resyncs on reconnect, rather than having updates silently skipped.
    send_queue_frames: int = 1000
    # Bytes waiting to be sent to one client: frames differ in size by a factor of a million
    # (a keystroke vs a 1 MiB step 2), so a count alone would let one stalled socket hold
    # ~1 GiB. Past this the client is disconnected (1013) and resyncs on reconnect.
    send_queue_bytes: int = 8 * 1024 * 1024
    # The stock client renews its awareness every 15 s and pings nothing else, so a socket
    # silent for this long is dead or abusive.
    idle_timeout_seconds: float = 60.0
    # A stock client uses one awareness id per document; a few more allow reconnect overlap.
    awareness_ids_per_connection: int = 4
    # Entries in one awareness message: only ever a handful for honest clients.
    awareness_entries_per_message: int = 64
    # One client's presence state, in bytes of JSON: a user, a cursor and a selection need a
    # few hundred. Bigger states are refused (1009): everyone, and every joiner, gets them.
    awareness_state_bytes: int = 8 * 1024
    # A room without connections stays loaded this long, so a page reload does not reload it.
    room_idle_unload_seconds: float = 10.0
    # Log entries after the latest snapshot before a new snapshot is written.
    compact_after_updates: int = 500
    # A field lock lasts this long after its last renewal: a tab that froze or lost its
    # connection without closing cannot hold a field for long.
    lock_lease_seconds: float = 30.0
    # Locks one connection holds at once; taking one more releases its oldest.
    locks_per_connection: int = 4
