"""OpenAPI paths of comment threads and notifications (merged into server/openapi.py)."""

from __future__ import annotations

from typing import Any

from server.core.openapi_schema import (
    BOOLEAN,
    INTEGER,
    STRING,
    error,
    json_content,
    obj,
    ok,
    path_param,
    query,
)

_NULLABLE = {"type": ["string", "null"]}
_PERSON = obj(["id", "name"], id=STRING, name=STRING)
_ANCHOR = obj(
    ["path"],
    path={
        "type": "string",
        "description": "invoice.<field>[.<field>], lines.<line id> or lines.<line id>.<field>",
        "examples": ["invoice.due_date", "lines.l1", "lines.l1.unit_price"],
    },
    start={"type": "string", "description": "text ranges: base64 Y.encodeRelativePosition"},
    end={"type": "string", "description": "text ranges: base64 Y.encodeRelativePosition"},
    quote={"type": "string", "description": "text ranges: the text covered at creation"},
)
_COMMENT = obj(
    ["id", "author", "body", "deleted"],
    id=STRING,
    author=_PERSON,
    body={"type": ["string", "null"], "description": "null once deleted"},
    mentions={
        "type": "array",
        "items": obj(id=STRING, name=STRING, email=STRING),
    },
    created_at=STRING,
    edited_at=_NULLABLE,
    deleted=BOOLEAN,
    deleted_at=_NULLABLE,
)
THREAD = obj(
    ["id", "invoice_id", "anchor", "orphaned", "status", "comments"],
    id=STRING,
    invoice_id=STRING,
    anchor=_ANCHOR,
    orphaned={"type": "boolean", "description": "the anchored line was deleted"},
    status={"type": "string", "enum": ["open", "resolved"]},
    created_by=_PERSON,
    created_at=STRING,
    updated_at=STRING,
    resolved_by={"oneOf": [_PERSON, {"type": "null"}]},
    resolved_at=_NULLABLE,
    comments={"type": "array", "items": _COMMENT},
)
_NOTIFICATION = obj(
    ["id", "kind", "invoice_id", "thread_id", "comment_id", "actor", "read_at"],
    id=STRING,
    kind={"type": "string", "enum": ["mention"]},
    org_id=STRING,
    invoice_id=STRING,
    thread_id=STRING,
    comment_id=STRING,
    actor=_PERSON,
    excerpt={"type": ["string", "null"], "description": "null once the comment is deleted"},
    created_at=STRING,
    read_at=_NULLABLE,
)

_UNAUTHORIZED = error("Missing, bad, expired or revoked token")
_BAD = error("Malformed request; the message says what is wrong")
_FORBIDDEN = error("Viewers cannot comment; only its author edits or deletes a comment")
_MISSING = error("No such invoice, thread or comment, or not visible to the caller")
_CONFLICT = error("Already resolved / open, a deleted comment, or a limit reached")
_BODY = json_content(obj(["body"], body={"type": "string", "maxLength": 5000}))
_INVOICE = path_param("invoice_id")
_THREAD = path_param("thread_id")


def _change(
    summary: str, parameters: list[dict[str, Any]], *, created: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": parameters,
        **extra,
        "responses": {
            ("201" if created else "200"): ok("The thread after the change (pushed live)", THREAD),
            "400": _BAD,
            "401": _UNAUTHORIZED,
            "403": _FORBIDDEN,
            "404": _MISSING,
            "409": _CONFLICT,
        },
    }


_BASE = "/api/invoices/{invoice_id}/comments"

COMMENT_PATHS: dict[str, Any] = {
    _BASE: {
        "get": {
            "summary": "The invoice's comment threads with their comments (every member)",
            "parameters": [_INVOICE, query("status", "open or resolved only")],
            "responses": {
                "200": ok(
                    "Threads, oldest first",
                    obj(threads={"type": "array", "items": THREAD}, open=INTEGER),
                ),
                "400": _BAD,
                "401": _UNAUTHORIZED,
                "404": _MISSING,
            },
        },
        "post": {
            "summary": "Start a thread on a field, a line or a text range (reviewers and above)",
            "parameters": [_INVOICE],
            "requestBody": json_content(
                obj(["anchor", "body"], anchor=_ANCHOR, body={"type": "string"})
            ),
            "responses": {
                "201": ok("The new thread (also pushed live)", THREAD),
                "400": _BAD,
                "401": _UNAUTHORIZED,
                "403": _FORBIDDEN,
                "404": _MISSING,
                "409": _CONFLICT,
            },
        },
    },
    f"{_BASE}/{{thread_id}}": {
        "get": {
            "summary": "One thread",
            "parameters": [_INVOICE, _THREAD],
            "responses": {"200": ok("The thread", THREAD), "401": _UNAUTHORIZED, "404": _MISSING},
        }
    },
    f"{_BASE}/{{thread_id}}/comments": {
        "post": _change(
            "Reply; the new comment is last", [_INVOICE, _THREAD], created=True, requestBody=_BODY
        )
    },
    f"{_BASE}/{{thread_id}}/comments/{{comment_id}}": {
        "patch": _change(
            "Edit one's own comment",
            [_INVOICE, _THREAD, path_param("comment_id")],
            requestBody=_BODY,
        ),
        "delete": _change(
            "Delete one's own comment (it stays, marked deleted, without its text)",
            [_INVOICE, _THREAD, path_param("comment_id")],
        ),
    },
    f"{_BASE}/{{thread_id}}/resolve": {
        "post": _change("Resolve an open thread", [_INVOICE, _THREAD])
    },
    f"{_BASE}/{{thread_id}}/reopen": {
        "post": _change("Reopen a resolved thread", [_INVOICE, _THREAD])
    },
    "/api/orgs/{org}/mentionable": {
        "get": {
            "summary": "Members who can be @mentioned, with the handle that names each one",
            "parameters": [path_param("org")],
            "responses": {
                "200": ok(
                    "Members",
                    obj(
                        items={"type": "array", "items": obj(id=STRING, name=STRING, handle=STRING)}
                    ),
                ),
                "401": _UNAUTHORIZED,
                "404": error("No such organization, or not a member"),
            },
        }
    },
    "/api/notifications": {
        "get": {
            "summary": "The caller's notifications, newest first, and the unread count",
            "parameters": [
                query("unread", "true: unread ones only", BOOLEAN),
                query("limit", "1 to 200 (default 50)", INTEGER),
            ],
            "responses": {
                "200": ok(
                    "Notifications",
                    obj(items={"type": "array", "items": _NOTIFICATION}, unread=INTEGER),
                ),
                "400": _BAD,
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/api/notifications/{notification_id}/read": {
        "post": {
            "summary": "Mark one notification read",
            "parameters": [path_param("notification_id")],
            "responses": {
                "200": ok("The notification", _NOTIFICATION),
                "401": _UNAUTHORIZED,
                "404": error("Not one of the caller's notifications"),
            },
        }
    },
    "/api/notifications/read-all": {
        "post": {
            "summary": "Mark every notification of the caller read",
            "responses": {"200": ok("Done", obj(unread=INTEGER)), "401": _UNAUTHORIZED},
        }
    },
}
