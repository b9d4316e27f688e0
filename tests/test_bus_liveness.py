"""Which processes the bus (server/core/bus.py) knows to be alive: any message is a sign of life,
not only a hello. A process that died before its first hello after we subscribed, known only
from its edits or locks, is declared gone when it falls silent (CI found one whose locks
stayed until their 30 s lease when it was killed in its first second beside a new peer).

The bus is not connected here: messages are handed to it as Redis would deliver them."""

from __future__ import annotations

import time

from server.core.bus import Bus

OTHER = "0123456789ab"  # another process's id: 12 hex digits, as the bus makes them


def message(channel: str, payload: bytes, origin: str = OTHER) -> dict[str, object]:
    return {
        "type": "message",
        "pattern": None,
        "channel": f"cofacture:{channel}".encode(),
        "data": origin.encode() + payload,
    }


def watched_bus() -> tuple[Bus, list[str], list[str]]:
    bus = Bus("redis://127.0.0.1:1/0", gone_after_seconds=5.0)
    seen: list[str] = []
    gone: list[str] = []
    bus.on_process_seen.append(seen.append)
    bus.on_process_gone.append(gone.append)
    bus.subscribe("doc:invoice-1", lambda origin, payload: None)
    return bus, seen, gone


def test_a_process_heard_only_on_a_document_channel_is_declared_gone_when_silent() -> None:
    bus, seen, gone = watched_bus()
    bus._dispatch(message("doc:invoice-1", b"\x00an update"))
    assert (bus.processes, seen) == ([OTHER], [OTHER])  # its presence is sent to it at once
    bus._sweep(time.monotonic() + 4.0)
    assert gone == []  # silent for less than 5 s: still alive
    bus._sweep(time.monotonic() + 6.0)
    assert (gone, bus.processes) == ([OTHER], [])


def test_every_message_keeps_a_process_alive_and_a_goodbye_ends_it() -> None:
    bus, seen, gone = watched_bus()
    bus._dispatch(message("processes", b"hello"))
    bus._dispatch(message("doc:invoice-1", b"\x00edit"))
    assert seen == [OTHER]  # seen once, not per message
    bus._dispatch(message("processes", b"bye"))
    assert (gone, bus.processes) == ([OTHER], [])
    # A goodbye from a process never heard of does not make it known.
    bus._dispatch(message("processes", b"bye", origin="ba9876543210"))
    assert (bus.processes, seen) == ([], [OTHER])


def test_our_own_messages_echoed_by_redis_are_not_a_peer() -> None:
    bus, seen, _ = watched_bus()
    bus._dispatch(message("doc:invoice-1", b"\x00edit", origin=bus.process_id))
    assert (bus.processes, seen) == ([], [])
