"""Comment logic without a server: anchors, mentions, the thread status machine, notifiers."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pycrdt import Array, Assoc, Doc, Map, StickyIndex, Text
from pydantic import ValidationError

from server.auth.models import User
from server.comments import notification_routes
from server.comments import routes as comment_routes
from server.comments.anchors import Anchor, is_text_path, parse_anchor
from server.comments.notifications import Delivery, NotificationKind, Notifiers
from server.comments.schemas import CommentText, NewThread
from server.comments.service import Event, ThreadStatus, match_members, mention_handles, transition
from server.core.api import validation_body
from server.core.app import create_app
from server.core.errors import BadRequest, Conflict
from server.core.settings import Settings


def _positions() -> tuple[str, str]:
    """A range over "spring audit" in a line description, encoded like Y.encodeRelativePosition."""
    doc: Doc[Any] = Doc()
    lines: Array[Map[Any]] = doc.get("lines", type=Array)
    lines.append(Map({"id": "l1", "description": Text("Consulting for the spring audit")}))
    text = lines[0]["description"]
    start = StickyIndex.new(text, 19, Assoc.AFTER).encode()
    end = StickyIndex.new(text, 31, Assoc.BEFORE).encode()
    return base64.b64encode(start).decode(), base64.b64encode(end).decode()


def _checked(anchor: object) -> Anchor:
    """An anchor from a request body, checked as POST .../comments does: model, then schema."""
    given = NewThread.model_validate({"anchor": anchor, "body": "x"}).anchor
    return parse_anchor(given.path, start=given.start, end=given.end, quote=given.quote)


def _refusal(anchor: object) -> dict[str, Any]:
    """The 400 body a request with this anchor gets, whichever check refuses it."""
    try:
        _checked(anchor)
    except ValidationError as invalid:
        found = [{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]
        return validation_body(RequestValidationError(found))
    except BadRequest as refused:
        return {"error": refused.message}
    raise AssertionError(f"{anchor!r} was accepted")


def test_anchors_on_fields_lines_and_text_ranges() -> None:
    assert _checked({"path": "invoice.due_date"}) == Anchor("invoice.due_date")
    assert _checked({"path": "invoice.customer.name"}).row() is None
    line = _checked({"path": "lines.l1"})
    assert line.row() == "lines.l1" and line.orphaned({"lines.l2"})
    assert not line.orphaned({"lines.l1"}) and line.orphaned({"adjustments.l1"})
    assert _checked({"path": "lines.l1.unit_price"}).orphaned(set())
    adjustment = _checked({"path": "adjustments.a1.reason"})
    assert adjustment.row() == "adjustments.a1" and not adjustment.orphaned({"adjustments.a1"})
    start, end = _positions()
    ranged = _checked(
        {"path": "lines.l1.description", "start": start, "end": end, "quote": "spring audit"}
    )
    assert ranged.as_json() == {
        "path": "lines.l1.description",
        "start": start,
        "end": end,
        "quote": "spring audit",
    }
    assert _checked({"path": "invoice.notes", "start": start, "end": end}).quote is None
    assert is_text_path("invoice.notes") and is_text_path("lines.x.description")
    assert not is_text_path("invoice.due_date") and not is_text_path("lines.x")


@pytest.mark.parametrize(
    ("anchor", "message", "field"),
    [
        # Refused by the request model (400 with `details`: the field path)...
        ("invoice.due_date", "must be an object", "anchor"),
        ({"path": 3}, "`anchor.path` must be a string", "anchor.path"),
        (
            {"path": "invoice.due_date", "color": "red"},
            "unknown field 'anchor.color'",
            "anchor.color",
        ),
        ({"path": "invoice.due_date", "quote": "x"}, "goes with a text range", "anchor"),
        (
            {"path": "invoice.notes", "start": "AAEC", "end": None},
            "both `start` and `end`",
            "anchor",
        ),
        (
            {"path": "invoice.notes", "start": "A" * 200, "end": "AA=="},
            "`anchor.start`",
            "anchor.start",
        ),
        # ... or by the invoice schema (400 with the message only).
        ({"path": "invoice.colour"}, "must name a field or a row", None),
        ({"path": "payments.x"}, "must name a field or a row", None),
        ({"path": "lines.has space"}, "must name a field or a row", None),
        ({"path": "adjustments.a1.description"}, "must name a field or a row", None),
        ({"path": "invoice.due_date", "start": "AAAA", "end": "AAAA"}, "needs a text path", None),
        ({"path": "invoice.notes", "start": "not base64!", "end": "AA=="}, "`anchor.start`", None),
        # kind 1 (a root type by name) is never a comment's text
        ({"path": "invoice.notes", "start": "AQFhAA==", "end": "AQFhAA=="}, "`anchor.start`", None),
        # trailing bytes after the assoc
        ({"path": "invoice.notes", "start": "AAEBAAAA", "end": "AAEBAA=="}, "`anchor.start`", None),
    ],
)
def test_bad_anchors_are_clear_400s(anchor: object, message: str, field: str | None) -> None:
    refused = _refusal(anchor)
    assert message in refused["error"]
    if field is None:
        assert "details" not in refused
    else:
        assert [d["path"] for d in refused["details"]] == [field]


def test_a_long_quote_is_shortened_and_an_absurd_one_refused() -> None:
    start, end = _positions()
    anchor = {"path": "invoice.notes", "start": start, "end": end}
    quote = _checked({**anchor, "quote": "x" * 600}).quote
    assert quote is not None and len(quote) == 500 and quote.endswith("…")
    refused = _refusal({**anchor, "quote": "x" * 10_001})
    assert refused["error"] == "`anchor.quote` is longer than 10000 characters"


def test_a_comment_body_is_trimmed_and_bounded() -> None:
    assert CommentText.model_validate({"body": "  hi @bob \n"}).body == "hi @bob"
    for body, message in [
        ("   ", "`body`: cannot be empty"),
        ("x" * 5001, "`body` is longer than 5000 characters"),
        (3, "`body` must be a string"),
        (None, "`body` must be a string"),
    ]:
        with pytest.raises(ValidationError) as refused:
            CommentText.model_validate({"body": body})
        found = [{**e, "loc": ("body", *e["loc"])} for e in refused.value.errors()]
        assert validation_body(RequestValidationError(found))["error"] == message
    assert CommentText.model_validate({"body": " " + "x" * 5000 + " "}).body == "x" * 5000


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


_THREAD = "/api/invoices/{invoice_id}/comments/{thread_id}"
# Every comment and notification route: (request model, status, response model, error statuses).
ROUTES: dict[tuple[str, str], tuple[str | None, str, str, set[str]]] = {
    ("get", "/api/invoices/{invoice_id}/comments"): (None, "200", "ThreadList", {"400", "404"}),
    ("post", "/api/invoices/{invoice_id}/comments"): (
        "NewThread",
        "201",
        "Thread",
        {"400", "403", "404", "409"},
    ),
    ("get", _THREAD): (None, "200", "Thread", {"404"}),
    ("post", f"{_THREAD}/comments"): ("CommentText", "201", "Thread", {"400", "403", "404", "409"}),
    ("patch", f"{_THREAD}/comments/{{comment_id}}"): (
        "CommentText",
        "200",
        "Thread",
        {"400", "403", "404", "409"},
    ),
    ("delete", f"{_THREAD}/comments/{{comment_id}}"): (
        None,
        "200",
        "Thread",
        {"403", "404", "409"},
    ),
    ("post", f"{_THREAD}/resolve"): (None, "200", "Thread", {"403", "404", "409"}),
    ("post", f"{_THREAD}/reopen"): (None, "200", "Thread", {"403", "404", "409"}),
    ("get", "/api/orgs/{org}/mentionable"): (None, "200", "MentionableList", {"404"}),
    ("get", "/api/notifications"): (None, "200", "NotificationPage", {"400"}),
    ("post", "/api/notifications/read-all"): (None, "200", "UnreadCount", set()),
    ("post", "/api/notifications/{notification_id}/read"): (None, "200", "Notification", {"404"}),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_openapi_describes_each_comment_route_with_its_models(tmp_path: Path) -> None:
    app = create_app(Settings.from_env({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)}))
    declared = [*comment_routes.router.routes, *notification_routes.router.routes]
    ours = [r for r in declared if isinstance(r, APIRoute)]
    assert len(ours) == len(declared)
    assert {(m.lower(), r.path) for r in ours for m in r.methods or ()} == set(ROUTES)
    assert all(r.response_model is not None for r in ours)
    spec = app.openapi()
    for (method, path), (request, status, response, failures) in ROUTES.items():
        operation = spec["paths"][path][method]
        assert operation["summary"], (method, path)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        assert body.get("schema") == (_ref(request) if request else None), (method, path)
        answers = operation["responses"]
        assert answers[status]["content"]["application/json"]["schema"] == _ref(response)
        for failure in {"401", *failures}:
            assert answers[failure]["content"]["application/json"]["schema"] == _ref("ErrorBody")
    schemas = spec["components"]["schemas"]
    anchor = schemas["Thread"]["properties"]["anchor"]
    assert anchor["anyOf"] == [_ref("FieldAnchor"), _ref("RangeAnchor")]
    assert schemas["RangeAnchor"]["required"] == ["path", "start", "end", "quote"]
    assert schemas["NewAnchor"]["required"] == ["path"]
    assert schemas["NewAnchor"]["additionalProperties"] is False
    text = schemas["CommentText"]["properties"]["body"]
    assert (text["type"], text["minLength"], text["maxLength"]) == ("string", 1, 5000)
    listing = spec["paths"]["/api/notifications"]["get"]["parameters"]
    limit = next(p["schema"] for p in listing if p["name"] == "limit")
    assert (limit["minimum"], limit["maximum"]) == (1, 200)
    status = spec["paths"]["/api/invoices/{invoice_id}/comments"]["get"]["parameters"]
    assert any(p["name"] == "status" and p["in"] == "query" for p in status)
