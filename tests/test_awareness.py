"""The server's presence view: clocks, ownership, removal on close, tombstones."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from collab.sync.awareness import AwarenessView, stamp_user
from collab.sync.protocol import AwarenessEntry


def entry(client_id: int, clock: int, state: str = '{"user":{"name":"A"}}') -> AwarenessEntry:
    return AwarenessEntry(client_id, clock, state)


def test_only_advanced_entries_are_forwarded() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    assert view.apply("a", [entry(1, 1)]).forward == [entry(1, 1)]
    assert view.apply("a", [entry(1, 1)]).forward == []  # a re-send of the same clock
    assert view.apply("a", [entry(1, 0)]).forward == []  # an old one
    assert view.apply("a", [entry(1, 2)]).forward == [entry(1, 2)]


def test_a_connection_cannot_change_another_connections_presence() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    view.apply("a", [entry(1, 1)])
    # b re-broadcasting a's state (what the stock client does), or forging it, changes nothing.
    assert view.apply("b", [entry(1, 5, '{"user":{"name":"forged"}}')]).forward == []
    assert view.apply("b", [entry(1, 6, "null")]).forward == []
    assert view.snapshot() == [entry(1, 1)]


def test_closing_a_connection_removes_its_ids_with_an_advanced_clock() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    view.apply("a", [entry(1, 3)])
    view.apply("b", [entry(2, 1)])
    assert view.remove_owner("a") == [AwarenessEntry(1, 4, "null")]
    assert view.snapshot() == [entry(2, 1)]
    # A late re-broadcast of a's old state by b cannot bring it back.
    assert view.apply("b", [entry(1, 3)]).forward == []


def test_a_returning_client_with_a_retired_clock_is_told_to_advance() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    view.apply("a", [entry(1, 3)])
    view.remove_owner("a")
    result = view.apply("a2", [entry(1, 3)])
    assert result.forward == []
    assert result.reply == [AwarenessEntry(1, 4, "null")]
    # The stock client answers that with its state at clock 5, which is accepted.
    assert view.apply("a2", [entry(1, 5)]).forward == [entry(1, 5)]


def test_client_side_removal_is_forwarded_and_frees_the_id() -> None:
    view = AwarenessView(max_ids_per_owner=4)
    view.apply("a", [entry(1, 1)])
    assert view.apply("a", [entry(1, 2, "null")]).forward == [entry(1, 2, "null")]
    assert len(view) == 0
    assert view.remove_owner("a") == []


def test_ids_per_connection_are_bounded() -> None:
    view = AwarenessView(max_ids_per_owner=2)
    result = view.apply("a", [entry(1, 1), entry(2, 1), entry(3, 1)])
    assert [e.client_id for e in result.forward] == [1, 2]
    assert len(view) == 2


def test_stamp_user_replaces_whatever_the_client_claims() -> None:
    claimed = AwarenessEntry(7, 3, '{"user":{"name":"CEO","id":"u-ceo"},"cursor":"invoice.notes"}')
    stamped = stamp_user(claimed, {"id": "u-1", "name": "Ada", "color": "#2563eb"})
    assert (stamped.client_id, stamped.clock) == (7, 3)
    assert json.loads(stamped.state) == {
        "user": {"id": "u-1", "name": "Ada", "color": "#2563eb"},
        "cursor": "invoice.notes",
    }
    assert stamp_user(AwarenessEntry(7, 4, "null"), {"id": "u-1"}).state == "null"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(1, 6),
            st.integers(0, 4),
            st.booleans(),
            st.booleans(),
        ),
        max_size=60,
    )
)
def test_the_count_of_present_entries_is_what_a_joiner_is_sent(
    ops: list[tuple[str, int, int, bool, bool]],
) -> None:
    """Whatever connections set, remove, reuse and close, the view's length is the number of
    entries a joiner receives."""
    view = AwarenessView(max_ids_per_owner=3)
    for owner, client_id, clock, removed, close in ops:
        if close:
            view.remove_owner(owner)
        else:
            view.apply(owner, [entry(client_id, clock, "null" if removed else "{}")])
        assert len(view) == len(view.snapshot())


# (owner, client id, clock, removed): a few connections and ids, so that they collide often.
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(1, 4),
        st.integers(0, 5),
        st.booleans(),
    ),
    max_size=40,
)


@given(_STEPS)
def test_dropping_what_news_leaves_out_changes_nothing(
    steps: list[tuple[str, int, int, bool]],
) -> None:
    """`news` lets the room skip reading re-broadcasts: applying only its entries gives the same
    forwards, replies and presence as applying them all, step after step."""
    whole, filtered = AwarenessView(max_ids_per_owner=2), AwarenessView(max_ids_per_owner=2)
    for owner, client_id, clock, removed in steps:
        entries = [entry(client_id, clock, "null" if removed else f'{{"n":{clock}}}')]
        expected = whole.apply(owner, entries, identity=owner)
        got = filtered.apply(owner, filtered.news(owner, entries), identity=owner)
        assert got == expected
        assert filtered.owned() == whole.owned()
        assert len(filtered) == len(whole)
