"""Request and response bodies of comment threads and notifications (docs/comments.md).

The source of their OpenAPI description. The models check a body's shape (types, lengths, which
parts of an anchor go together); what needs the invoice schema or the database (a path names a
real field, a text range sits in a text field, its positions are well formed, the line exists)
is checked by `anchors.parse_anchor` and the service, with the same 400s.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from server.comments.anchors import MAX_PATH, MAX_POSITION_BYTES, MAX_TEXT
from server.comments.notifications import MAX_PAGE, NotificationKind
from server.comments.service import MAX_BODY, ThreadStatus
from server.core.api import Model, Timestamp

Path = Annotated[
    str,
    Field(
        max_length=MAX_PATH,
        description="invoice.<field>[.<field>], lines.<line id>, lines.<line id>.<field>, "
        "adjustments.<id> or adjustments.<id>.<field>; "
        "`invoice` alone (the whole invoice) only on threads the server made, such as a "
        "rejection's reason",
        examples=["invoice.due_date", "lines.l1", "lines.l1.unit_price"],
    ),
]
# A base64 Y.encodeRelativePosition of at most MAX_POSITION_BYTES bytes.
Position = Annotated[
    str,
    Field(
        max_length=MAX_POSITION_BYTES * 2,
        description="text ranges: base64 Y.encodeRelativePosition",
    ),
]


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("cannot be empty")
    return value


# Trimmed, then 1 to MAX_BODY characters.
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_BODY),
    AfterValidator(_not_blank),
    Field(
        description=f"1 to {MAX_BODY} characters once trimmed; `@` mentions members",
        json_schema_extra={"minLength": 1},
    ),
]


# -- requests ----------------------------------------------------------------------------------


class NewAnchor(Model):
    """Where a new thread sits: a field or line `path`, and for a text range `start` and `end`."""

    path: Path
    start: Position | None = None
    end: Position | None = None
    quote: Annotated[
        str | None,
        Field(
            max_length=MAX_TEXT,
            description="text ranges: the text covered; over 500 characters it is shortened",
        ),
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict | NewAnchor):
            raise ValueError('must be an object like {"path": "invoice.due_date"}')
        return value

    @model_validator(mode="after")
    def _a_whole_range(self) -> Self:
        if (self.start is None) != (self.end is None):
            raise ValueError("a text range needs both `start` and `end`")
        if self.quote is not None and self.start is None:
            raise ValueError("`quote` goes with a text range (`start` and `end`)")
        return self


class NewThread(Model):
    anchor: NewAnchor
    body: Body


class CommentText(Model):
    body: Body


class ThreadQuery(Model):
    status: Annotated[ThreadStatus | None, Field(description="open or resolved only")] = None


class NotificationQuery(Model):
    unread: Annotated[bool, Field(description="true: unread ones only")] = False
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE, description="page size")] = 50


# -- responses ---------------------------------------------------------------------------------
# Anchors are strict (extra fields refused) so that a stored range never reads as a field anchor.


class FieldAnchor(Model):
    """A thread on a field or a line."""

    path: Path


class RangeAnchor(Model):
    """A thread on a range of text (invoice.notes or lines.<id>.description)."""

    path: Path
    start: Position
    end: Position
    quote: str | None = Field(description="the text covered at creation")


class Person(BaseModel):
    id: str
    name: str


class MentionedMember(BaseModel):
    id: str
    name: str
    email: str


class ThreadComment(BaseModel):
    id: str
    author: Person
    body: str | None = Field(description="null once deleted")
    mentions: list[MentionedMember]
    created_at: Timestamp
    edited_at: Timestamp | None
    deleted: bool
    deleted_at: Timestamp | None


class Thread(BaseModel):
    """A thread as REST answers it and as the live `comment` notice carries it."""

    id: str
    invoice_id: str
    anchor: FieldAnchor | RangeAnchor
    orphaned: bool = Field(description="the anchored line is no longer in the document")
    status: ThreadStatus
    created_by: Person
    created_at: Timestamp
    updated_at: Timestamp
    resolved_by: Person | None
    resolved_at: Timestamp | None
    comments: list[ThreadComment] = Field(description="oldest first")


class ThreadList(BaseModel):
    threads: list[Thread] = Field(description="oldest first")
    open: int


class Mentionable(BaseModel):
    id: str
    name: str
    handle: str = Field(description="the shortest handle that names this member after `@`")


class MentionableList(BaseModel):
    items: list[Mentionable]


class Notification(BaseModel):
    id: str
    kind: NotificationKind
    org_id: str
    invoice_id: str
    thread_id: str
    comment_id: str
    actor: Person
    excerpt: str | None = Field(description="the comment's start; null once it is deleted")
    created_at: Timestamp
    read_at: Timestamp | None


class NotificationPage(BaseModel):
    items: list[Notification] = Field(description="newest first")
    unread: int


class UnreadCount(BaseModel):
    unread: int
