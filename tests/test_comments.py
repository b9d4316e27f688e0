"""Comment logic without a server: anchors, mentions, the thread status machine, notifiers."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from pycrdt import Array, Assoc, Doc, Map, StickyIndex, Text

from server.auth.models import User
from server.comments.anchors import Anchor, is_text_path, parse_anchor
from server.comments.notifications import Delivery, NotificationKind, Notifiers
from server.comments.service import Event, ThreadStatus, match_members, mention_handles, transition
from server.core.errors import BadRequest, Conflict


def _positions() -> tuple[str, str]:
    """A range over "spring audit" in a line description, encoded like Y.encodeRelativePosition."""
    doc: Doc[Any] = Doc()
    lines: Array[Map[Any]] = doc.get("lines", type=Array)
    lines.append(Map({"id": "l1", "description": Text("Consulting for the spring audit")}))
    text = lines[0]["description"]
    start = StickyIndex.new(text, 19, Assoc.AFTER).encode()
    end = StickyIndex.new(text, 31, Assoc.BEFORE).encode()
    return base64.b64encode(start).decode(), base64.b64encode(end).decode()


def test_anchors_on_fields_lines_and_text_ranges() -> None:
    assert parse_anchor({"path": "invoice.due_date"}) == Anchor("invoice.due_date")
    assert parse_anchor({"path": "invoice.customer.name"}).line_id() is None
    line = parse_anchor({"path": "lines.l1"})
    assert line.line_id() == "l1" and line.orphaned({"l2"}) and not line.orphaned({"l1"})
    assert parse_anchor({"path": "lines.l1.unit_price"}).orphaned(set())
    start, end = _positions()
    ranged = parse_anchor(
        {"path": "lines.l1.description", "start": start, "end": end, "quote": "spring audit"}
    )
    assert ranged.as_json() == {
        "path": "lines.l1.description",
        "start": start,
        "end": end,
        "quote": "spring audit",
    }
    assert parse_anchor({"path": "invoice.notes", "start": start, "end": end}).quote is None
    assert is_text_path("invoice.notes") and is_text_path("lines.x.description")
    assert not is_text_path("invoice.due_date") and not is_text_path("lines.x")


@pytest.mark.parametrize(
    ("anchor", "message"),
    [
        ("invoice.due_date", "must be an object"),
        ({"path": "invoice.colour"}, "must name a field or a line"),
        ({"path": "payments.x"}, "must name a field or a line"),
        ({"path": "lines.has space"}, "must name a field or a line"),
        ({"path": 3}, "must name a field or a line"),
        ({"path": "invoice.due_date", "color": "red"}, "unknown anchor field 'color'"),
        ({"path": "invoice.due_date", "quote": "x"}, "goes with a text range"),
        ({"path": "invoice.due_date", "start": "AAAA", "end": "AAAA"}, "needs a text path"),
        ({"path": "invoice.notes", "start": "not base64!", "end": "AA=="}, "`anchor.start`"),
        ({"path": "invoice.notes", "start": "AAEC", "end": None}, "`anchor.end`"),
        # kind 1 (a root type by name) is never a comment's text
        ({"path": "invoice.notes", "start": "AQFhAA==", "end": "AQFhAA=="}, "`anchor.start`"),
        # trailing bytes after the assoc
        ({"path": "invoice.notes", "start": "AAEBAAAA", "end": "AAEBAA=="}, "`anchor.start`"),
        ({"path": "invoice.notes", "start": "A" * 200, "end": "AA=="}, "`anchor.start`"),
    ],
)
def test_bad_anchors_are_clear_400s(anchor: object, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_anchor(anchor)
    assert message in refused.value.message


def test_a_long_quote_is_shortened_and_an_absurd_one_refused() -> None:
    start, end = _positions()
    anchor = {"path": "invoice.notes", "start": start, "end": end}
    quote = parse_anchor({**anchor, "quote": "x" * 600}).quote
    assert quote is not None and len(quote) == 500 and quote.endswith("…")
    with pytest.raises(BadRequest):
        parse_anchor({**anchor, "quote": "x" * 10_001})


def test_mention_syntax() -> None:
    body = "@bob please check, cc @Rita.Lopez@acme.test and @bob again. Mail me at a@b.fr; @x."
    assert mention_handles(body) == ["bob", "rita.lopez@acme.test", "x"]
    assert mention_handles("no mentions, not@this or foo@@bar") == []


def _user(email: str) -> User:
    return User(
        id=email,
        email=email,
        name=email.split("@")[0],
        password_hash="",
        created_at=datetime.now(UTC),
    )


def test_mentions_resolve_to_members_only_and_never_ambiguously() -> None:
    bob, rita = _user("bob@acme.test"), _user("rita.lopez@acme.test")
    bob_other = _user("bob@other.test")
    members = [bob, rita]
    assert match_members(["bob", "rita.lopez@acme.test", "nobody"], members) == [bob, rita]
    assert match_members(["bob@acme.test", "bob"], members) == [bob]
    # Two members share the local part: only their whole email names one of them.
    assert match_members(["bob"], [bob, bob_other]) == []
    assert match_members(["bob@other.test"], [bob, bob_other]) == [bob_other]


def test_thread_status_machine() -> None:
    assert transition(ThreadStatus.OPEN, Event.RESOLVED) is ThreadStatus.RESOLVED
    assert transition(ThreadStatus.RESOLVED, Event.REOPENED) is ThreadStatus.OPEN
    for status, event in [
        (ThreadStatus.RESOLVED, Event.RESOLVED),
        (ThreadStatus.OPEN, Event.REOPENED),
        (ThreadStatus.OPEN, Event.EDITED),
    ]:
        with pytest.raises(Conflict):
            transition(status, event)


class _Recording:
    def __init__(self) -> None:
        self.got: list[Delivery] = []

    async def deliver(self, deliveries: Sequence[Delivery]) -> None:
        self.got.extend(deliveries)


class _Broken:
    async def deliver(self, deliveries: Sequence[Delivery]) -> None:
        raise RuntimeError("smtp down")


async def test_notifiers_get_each_batch_and_a_failing_one_harms_nobody() -> None:
    notifiers = Notifiers()
    broken, recording = _Broken(), _Recording()
    notifiers.register(broken)
    notifiers.register(recording)
    delivery = Delivery(
        notification_id="n1",
        kind=NotificationKind.MENTION,
        user_id="u-bob",
        email="bob@acme.test",
        name="Bob",
        org_id="o",
        invoice_id="i",
        thread_id="t",
        comment_id="c",
        actor_name="Rita",
        excerpt="@bob please check",
    )
    await notifiers.dispatch([delivery])
    await notifiers.dispatch([])  # nothing new: notifiers are not called
    assert recording.got == [delivery]
    notifiers.unregister(recording)
    await notifiers.dispatch([delivery])
    assert recording.got == [delivery]
