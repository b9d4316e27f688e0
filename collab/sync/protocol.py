"""The y-websocket wire protocol as pure functions over bytes.

A frame carries exactly one message: a var-uint message type followed by its payload. Integers
are lib0 var-uints (7 bits per byte, little-endian groups); byte strings and strings are prefixed
with their length in *bytes* (UTF-8 for strings), which is what lib0 writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

from collab.sync.errors import ProtocolError

# A var-uint longer than this cannot be a JavaScript safe integer (2**53): refuse it.
_MAX_VAR_UINT_BYTES = 8


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    # Cofacture's extension: a var-string holding a JSON object with a "type" (docs/protocol.md).
    # Stock clients ignore message types they do not know.
    NOTICE = 100


class SyncType(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class AuthType(IntEnum):
    PERMISSION_DENIED = 0


@dataclass(frozen=True, slots=True)
class SyncMessage:
    kind: SyncType
    payload: bytes  # a state vector for STEP1, a Yjs update otherwise


@dataclass(frozen=True, slots=True)
class AwarenessMessage:
    payload: bytes  # an encoded awareness update, see decode_awareness


@dataclass(frozen=True, slots=True)
class QueryAwarenessMessage:
    pass


@dataclass(frozen=True, slots=True)
class AuthMessage:
    kind: AuthType
    reason: str


@dataclass(frozen=True, slots=True)
class NoticeMessage:
    body: dict[str, object]


Message = SyncMessage | AwarenessMessage | QueryAwarenessMessage | AuthMessage | NoticeMessage


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's presence: `state` is the raw JSON text, `"null"` when the client left."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        return self.state == "null"


# -- primitives -------------------------------------------------------------------------------


def write_var_uint(out: bytearray, value: int) -> None:
    if value < 0:
        raise ValueError("var-uint must be non-negative")
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)


def write_var_bytes(out: bytearray, data: bytes) -> None:
    write_var_uint(out, len(data))
    out += data


def write_var_string(out: bytearray, text: str) -> None:
    write_var_bytes(out, text.encode())


class Reader:
    """A cursor over one frame; every read raises ProtocolError past the end."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def var_uint(self) -> int:
        # Locals, and no bounds test of our own (`data[pos]` raises past the end): this reads
        # every length and header of every frame and update, and state vectors; through
        # attributes it took twice as long for a client id (five bytes).
        data, pos = self._data, self._pos
        try:
            byte = data[pos]
            if byte < 0x80:  # most lengths and counts
                self._pos = pos + 1
                return byte
            value, shift = byte & 0x7F, 7
            for pos in range(pos + 1, pos + _MAX_VAR_UINT_BYTES):  # noqa: B020
                byte = data[pos]
                value |= (byte & 0x7F) << shift
                if byte < 0x80:
                    self._pos = pos + 1
                    return value
                shift += 7
        except IndexError:
            self._pos = len(data)
            raise ProtocolError("truncated integer") from None
        raise ProtocolError("integer too long")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self._pos + length
        if end > len(self._data):
            raise ProtocolError("truncated byte string")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode()
        except UnicodeDecodeError as exc:
            raise ProtocolError("string is not UTF-8") from exc

    def byte(self) -> int:
        """One byte read as it is (a struct's info byte, not a var-uint)."""
        if self._pos >= len(self._data):
            raise ProtocolError("truncated byte")
        self._pos += 1
        return self._data[self._pos - 1]

    def peek(self) -> int | None:
        """The next byte, left unread; None at the end."""
        return self._data[self._pos] if self._pos < len(self._data) else None

    def rest(self) -> bytes:
        """Everything not read yet."""
        chunk = self._data[self._pos :]
        self._pos = len(self._data)
        return chunk

    def expect_end(self) -> None:
        if self._pos != len(self._data):
            raise ProtocolError("trailing bytes after message")


# -- messages ---------------------------------------------------------------------------------


def decode_message(frame: bytes) -> Message:
    """Decode one frame; raise ProtocolError for anything that is not one whole message."""
    reader = Reader(frame)
    try:
        kind = MessageType(reader.var_uint())
    except ValueError as exc:
        raise ProtocolError("unknown message type") from exc
    message: Message
    if kind is MessageType.SYNC:
        try:
            sync_kind = SyncType(reader.var_uint())
        except ValueError as exc:
            raise ProtocolError("unknown sync message type") from exc
        message = SyncMessage(sync_kind, reader.var_bytes())
    elif kind is MessageType.AWARENESS:
        message = AwarenessMessage(reader.var_bytes())
    elif kind is MessageType.QUERY_AWARENESS:
        message = QueryAwarenessMessage()
    elif kind is MessageType.NOTICE:
        try:
            body = json.loads(reader.var_string())
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            raise ProtocolError("notice is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise ProtocolError("notice must be a JSON object with a string `type`")
        message = NoticeMessage(body)
    else:
        try:
            auth_kind = AuthType(reader.var_uint())
        except ValueError as exc:
            raise ProtocolError("unknown auth message type") from exc
        message = AuthMessage(auth_kind, reader.var_string())
    reader.expect_end()
    return message


def _sync(kind: SyncType, payload: bytes) -> bytes:
    out = bytearray((MessageType.SYNC, kind))
    write_var_bytes(out, payload)
    return bytes(out)


def encode_sync_step1(state_vector: bytes) -> bytes:
    return _sync(SyncType.STEP1, state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    return _sync(SyncType.STEP2, update)


def encode_update(update: bytes) -> bytes:
    return _sync(SyncType.UPDATE, update)


def encode_awareness(payload: bytes) -> bytes:
    out = bytearray((MessageType.AWARENESS,))
    write_var_bytes(out, payload)
    return bytes(out)


def encode_query_awareness() -> bytes:
    return bytes((MessageType.QUERY_AWARENESS,))


def encode_permission_denied(reason: str) -> bytes:
    out = bytearray((MessageType.AUTH, AuthType.PERMISSION_DENIED))
    write_var_string(out, reason)
    return bytes(out)


def encode_notice(body: dict[str, object]) -> bytes:
    out = bytearray()
    write_var_uint(out, MessageType.NOTICE)
    write_var_string(out, json.dumps(body, separators=(",", ":")))
    return bytes(out)


# -- awareness updates --------------------------------------------------------------------------


def decode_awareness(payload: bytes, *, max_entries: int) -> list[AwarenessEntry]:
    """Decode an awareness update; each state must be valid JSON (an object or null)."""
    return [checked_state(entry) for entry in read_awareness(payload, max_entries=max_entries)]


def read_awareness(payload: bytes, *, max_entries: int) -> list[AwarenessEntry]:
    """Decode an awareness update without reading its states (`checked_state` does): most
    awareness messages are re-broadcasts a room drops on their ids and clocks alone."""
    reader = Reader(payload)
    count = reader.var_uint()
    if count > max_entries:
        raise ProtocolError(f"awareness update with {count} entries (limit {max_entries})")
    entries = [
        AwarenessEntry(reader.var_uint(), reader.var_uint(), reader.var_string())
        for _ in range(count)
    ]
    reader.expect_end()
    return entries


def checked_state(entry: AwarenessEntry) -> AwarenessEntry:
    """The entry if its state is JSON, an object or null (spelled `null`); else ProtocolError."""
    try:
        parsed = json.loads(entry.state)
    except ValueError as exc:
        raise ProtocolError("awareness state is not JSON") from exc
    if parsed is None:  # `null` however spelled: `removed` reads the text
        return AwarenessEntry(entry.client_id, entry.clock, "null")
    if not isinstance(parsed, dict):
        raise ProtocolError("awareness state must be an object or null")
    return entry


def encode_awareness_update(entries: list[AwarenessEntry]) -> bytes:
    out = bytearray()
    write_var_uint(out, len(entries))
    for entry in entries:
        write_var_uint(out, entry.client_id)
        write_var_uint(out, entry.clock)
        write_var_string(out, entry.state)
    return bytes(out)
