"""What a notification says, before any wording: its kind and the facts of the invoice.

Pure: no database, no I/O. A `Notice` travels in a delivery job's payload (`as_json`), so a
job worded later (in the channel's language, as Block Kit or as an Adaptive Card) tells
exactly what the event told.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final


class Kind(StrEnum):
    """What a channel or a person may be told of (docs/integrations.md)."""

    APPROVAL = "approval"  # an invoice was submitted: approvers are waited for
    REJECTED = "rejected"  # to the invoice's creator and assignee
    MENTION = "mention"  # to the person @mentioned in a comment
    OVERDUE = "overdue"  # an issued invoice passed its due date unpaid
    EXCEPTION_OPENED = "exception_opened"  # to the category's expert
    EXCEPTION_RESOLVED = "exception_resolved"  # to whoever opened it


KINDS: Final = tuple(Kind)
# The domain event (server/events `EventType` values) each kind is made from.
EVENT_KINDS: Final = {
    "invoice.submitted": Kind.APPROVAL,
    "invoice.rejected": Kind.REJECTED,
    "comment.created": Kind.MENTION,
    "invoice.overdue": Kind.OVERDUE,
    "exception.opened": Kind.EXCEPTION_OPENED,
    "exception.resolved": Kind.EXCEPTION_RESOLVED,
}
# What a person gets by e-mail before they choose (the issue: mentions, at least).
DEFAULT_EMAIL_KINDS: Final = frozenset({Kind.MENTION})
MAX_TEXT_CHARS: Final = 1000  # of a reason, excerpt or summary carried in a notice


@dataclass(frozen=True, slots=True)
class Notice:
    """The facts of one notification; every string but `kind` may have been typed by a user."""

    kind: Kind
    invoice_id: str
    number: str | None = None  # None: a draft
    customer: str | None = None
    amount: str | None = None  # the gross, or what is outstanding when overdue
    currency: str | None = None
    due_date: str | None = None
    actor: str | None = None  # who did it (display name)
    mentioned: tuple[str, ...] = field(default=())  # display names, for a channel's mention
    category: str | None = None  # an exception's category
    text: str | None = None  # the rejection reason, comment excerpt, exception summary
    test: bool = False  # "send a test message" from the settings page

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value, "mentioned": list(self.mentioned)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        return cls(**{**data, "kind": Kind(data["kind"]), "mentioned": tuple(data["mentioned"])})


def kind_of(event_type: str) -> Kind | None:
    """The kind an event is told as; None: not a chat or e-mail notification."""
    return EVENT_KINDS.get(str(event_type))


def clipped(text: object, limit: int = MAX_TEXT_CHARS) -> str | None:
    """User text as a notice carries it: a string, control characters but newlines and tabs
    made spaces, at most `limit` characters (an ellipsis when cut)."""
    if not isinstance(text, str) or not text.strip():
        return None
    clean = "".join(c if c in "\n\t" or c.isprintable() else " " for c in text.strip())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def notice_of(
    kind: Kind,
    data: dict[str, Any],
    *,
    actor: str | None,
    mentioned: tuple[str, ...] = (),
    invoice: dict[str, Any] | None = None,
) -> Notice:
    """The notice of an event's `data` (the events contract); `invoice` fills what the event
    does not carry (a comment's event names only the invoice)."""
    known = {**(invoice or {}), **{k: v for k, v in data.items() if v is not None}}
    text_key = {
        Kind.REJECTED: "reason",
        Kind.MENTION: "excerpt",
        Kind.EXCEPTION_OPENED: "summary",
        Kind.EXCEPTION_RESOLVED: "resolution",
    }.get(kind)
    amount = known.get("outstanding") if kind is Kind.OVERDUE else known.get("gross")
    return Notice(
        kind=kind,
        invoice_id=str(known["invoice_id"]),
        number=_short(known.get("number"), 35),
        customer=clipped(known.get("customer_name"), 200),
        amount=_short(amount, 40),
        currency=_short(known.get("currency"), 3),
        due_date=_short(known.get("due_date"), 10),
        actor=clipped(actor, 200),
        mentioned=tuple(n for n in (clipped(m, 200) for m in mentioned[:20]) if n),
        category=_short(known.get("category"), 40),
        text=clipped(known.get(text_key)) if text_key else None,
    )


def _short(value: object, limit: int) -> str | None:
    return str(value)[:limit] if isinstance(value, str | int) and str(value) else None
