"""The wire protocol as pure functions: round trips, lib0 compatibility, refusals."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.sync.errors import ProtocolError
from collab.sync.protocol import (
    AuthMessage,
    AuthType,
    AwarenessEntry,
    AwarenessMessage,
    QueryAwarenessMessage,
    Reader,
    SyncMessage,
    SyncType,
    decode_awareness,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_permission_denied,
    encode_query_awareness,
    encode_sync_step1,
    encode_sync_step2,
    encode_update,
    write_var_string,
    write_var_uint,
)


@given(st.integers(min_value=0, max_value=2**53 - 1))
def test_var_uint_round_trip(value: int) -> None:
    out = bytearray()
    write_var_uint(out, value)
    assert Reader(bytes(out)).var_uint() == value


def test_var_uint_matches_lib0() -> None:
    # Byte sequences lib0's encoding.writeVarUint produces.
    for value, expected in [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02")]:
        out = bytearray()
        write_var_uint(out, value)
        assert bytes(out) == expected


def test_var_uints_read_back_to_back_as_lib0_wrote_them() -> None:
    # The same lib0 sequences, one after the other: each read stops at its own last byte.
    reader = Reader(b"\xac\x02\x05\x80\x01\x7f")
    assert [reader.var_uint() for _ in range(3)] == [300, 5, 128]
    assert reader.peek() == 0x7F  # the next byte, left unread
    assert reader.var_uint() == 127 and reader.peek() is None
    reader.expect_end()
    for cut in (b"\xac", b"\x80\x80"):  # a continuation bit on the last byte there is
        with pytest.raises(ProtocolError, match="truncated"):
            Reader(cut).var_uint()
    with pytest.raises(ProtocolError, match="too long"):  # 8 bytes carry 56 bits: the limit
        Reader(b"\xff" * 8 + b"\x01").var_uint()
    assert Reader(b"\xff" * 7 + b"\x01").var_uint() == 2**50 - 1


def test_strings_are_prefixed_with_their_utf8_byte_length() -> None:
    out = bytearray()
    write_var_string(out, "Zoë €")
    assert out[0] == len("Zoë €".encode()) == 8
    assert Reader(bytes(out)).var_string() == "Zoë €"


@given(st.binary(max_size=300))
def test_sync_messages_round_trip(payload: bytes) -> None:
    assert decode_message(encode_sync_step1(payload)) == SyncMessage(SyncType.STEP1, payload)
    assert decode_message(encode_sync_step2(payload)) == SyncMessage(SyncType.STEP2, payload)
    assert decode_message(encode_update(payload)) == SyncMessage(SyncType.UPDATE, payload)
    assert decode_message(encode_awareness(payload)) == AwarenessMessage(payload)


def test_other_messages_round_trip() -> None:
    assert decode_message(encode_query_awareness()) == QueryAwarenessMessage()
    assert decode_message(encode_permission_denied("read-only ✋")) == AuthMessage(
        AuthType.PERMISSION_DENIED, "read-only ✋"
    )


@given(
    st.lists(
        st.builds(
            AwarenessEntry,
            client_id=st.integers(0, 2**32),
            clock=st.integers(0, 2**31),
            state=st.sampled_from(['{"user":{"name":"Zoë"}}', "null", "{}"]),
        ),
        max_size=10,
    )
)
def test_awareness_updates_round_trip(entries: list[AwarenessEntry]) -> None:
    assert decode_awareness(encode_awareness_update(entries), max_entries=10) == entries


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x09",  # unknown message type
        b"\x00",  # sync without a sync type
        b"\x00\x03\x00",  # unknown sync type
        b"\x00\x02\x05\x00",  # byte string longer than the frame
        b"\x00\x02\x00\x00",  # trailing bytes
        b"\x02\x07\x00",  # unknown auth type
        b"\x02\x00\x02\xff\xfe",  # reason that is not UTF-8
        b"\x00\x02" + b"\xff" * 12,  # integer longer than a safe JavaScript integer
    ],
)
def test_malformed_frames_raise_protocol_error(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_message(frame)


@pytest.mark.parametrize("state", ["{nope", "[1, 2]", '"text"', "3"])
def test_awareness_states_must_be_json_objects_or_null(state: str) -> None:
    payload = encode_awareness_update([AwarenessEntry(1, 1, state)])
    with pytest.raises(ProtocolError):
        decode_awareness(payload, max_entries=10)


def test_awareness_entry_count_is_bounded() -> None:
    payload = encode_awareness_update([AwarenessEntry(i, 1, "{}") for i in range(5)])
    with pytest.raises(ProtocolError, match="limit 4"):
        decode_awareness(payload, max_entries=4)


@given(st.binary(max_size=64))
def test_any_bytes_decode_or_raise_protocol_error(frame: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_message(frame)
