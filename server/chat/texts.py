"""The words of a notification, in English or French: a headline, facts, the person's text.

Pure. Slack (slack.py), Teams (teams.py) and e-mail (the mail templates) lay out the same
`Words`; only they know how to escape them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from server.chat.notices import Kind, Notice

Language = Literal["en", "fr"]
LANGUAGES: Final = ("en", "fr")

_CATEGORIES: Final = {
    "en": {
        "dispute": "dispute",
        "refund_request": "refund request",
        "cancellation_request": "cancellation request",
        "pricing_error": "pricing error",
        "missing_po": "missing purchase order",
        "other": "other",
    },
    "fr": {
        "dispute": "litige",
        "refund_request": "demande de remboursement",
        "cancellation_request": "demande d'annulation",
        "pricing_error": "erreur de prix",
        "missing_po": "bon de commande manquant",
        "other": "autre",
    },
}

# {subject}: "Invoice F-1" / "A draft invoice"; {object}: the same within a sentence.
_HEADLINES: Final = {
    "en": {
        Kind.APPROVAL: "{subject} is waiting for approval",
        Kind.REJECTED: "{subject} was rejected",
        Kind.MENTION: "{actor} mentioned {who} on {object}",
        Kind.OVERDUE: "{subject} is overdue",
        Kind.EXCEPTION_OPENED: "Exception opened on {object}: {category}",
        Kind.EXCEPTION_RESOLVED: "Exception resolved on {object}: {category}",
    },
    "fr": {
        Kind.APPROVAL: "{subject} attend une approbation",
        Kind.REJECTED: "{subject} a été refusée",
        Kind.MENTION: "{actor} a mentionné {who} sur {object}",
        Kind.OVERDUE: "{subject} est en retard de paiement",
        Kind.EXCEPTION_OPENED: "Exception ouverte sur {object} : {category}",
        Kind.EXCEPTION_RESOLVED: "Exception résolue sur {object} : {category}",
    },
}

_MENTIONED_YOU: Final = {
    "en": "{actor} mentioned you on {object}",
    "fr": "{actor} vous a mentionné sur {object}",
}

_WORDS: Final = {
    "en": {
        "invoice": "Invoice {number}",
        "invoice_in": "invoice {number}",
        "draft": "A draft invoice",
        "draft_in": "a draft invoice",
        "someone": "someone",
        "customer": "Customer",
        "amount": "Amount",
        "outstanding": "Outstanding",
        "due_date": "Due date",
        "reason": "Reason",
        "comment": "Comment",
        "summary": "Summary",
        "resolution": "Resolution",
        "by": "Cofacture · by {actor}",
        "app": "Cofacture",
        "open": "Open the invoice",
        "test": "Test message from Cofacture: this channel receives {kinds}.",
        "test_kinds_none": "nothing yet",
    },
    "fr": {
        "invoice": "La facture {number}",
        "invoice_in": "la facture {number}",
        "draft": "Une facture brouillon",
        "draft_in": "une facture brouillon",
        "someone": "quelqu'un",
        "customer": "Client",
        "amount": "Montant",
        "outstanding": "Reste dû",
        "due_date": "Échéance",
        "reason": "Motif",
        "comment": "Commentaire",
        "summary": "Résumé",
        "resolution": "Résolution",
        "by": "Cofacture · par {actor}",
        "app": "Cofacture",
        "open": "Ouvrir la facture",
        "test": "Message de test de Cofacture : ce canal reçoit {kinds}.",
        "test_kinds_none": "rien pour l'instant",
    },
}

KIND_NAMES: Final = {
    "en": {
        Kind.APPROVAL: "approvals waiting",
        Kind.REJECTED: "rejections",
        Kind.MENTION: "@mentions",
        Kind.OVERDUE: "overdue invoices",
        Kind.EXCEPTION_OPENED: "exceptions opened",
        Kind.EXCEPTION_RESOLVED: "exceptions resolved",
    },
    "fr": {
        Kind.APPROVAL: "approbations en attente",
        Kind.REJECTED: "refus",
        Kind.MENTION: "@mentions",
        Kind.OVERDUE: "factures en retard",
        Kind.EXCEPTION_OPENED: "exceptions ouvertes",
        Kind.EXCEPTION_RESOLVED: "exceptions résolues",
    },
}

_TEXT_LABELS: Final = {
    Kind.REJECTED: "reason",
    Kind.MENTION: "comment",
    Kind.EXCEPTION_OPENED: "summary",
    Kind.EXCEPTION_RESOLVED: "resolution",
}


@dataclass(frozen=True, slots=True)
class Words:
    """Plain text, unescaped: each format escapes it its own way."""

    headline: str
    facts: tuple[tuple[str, str], ...]  # (label, value)
    quote_label: str | None
    quote: str | None  # the person's own text: a reason, an excerpt, a summary
    context: str
    button: str


def words(
    notice: Notice, language: str, *, personal: bool = False, kinds: tuple[Kind, ...] = ()
) -> Words:
    """The notice in `language` ("en" or "fr"; anything else is English). `personal`: told to
    the person concerned ("mentioned you"); `kinds`: what a test message says it receives."""
    lang = language if language in LANGUAGES else "en"
    w = _WORDS[lang]
    context = w["by"].format(actor=notice.actor) if notice.actor else w["app"]
    if notice.test:
        listed = ", ".join(KIND_NAMES[lang][k] for k in kinds) or w["test_kinds_none"]
        return Words(w["test"].format(kinds=listed), (), None, None, w["app"], w["open"])
    number = notice.number
    subject = w["invoice"].format(number=number) if number else w["draft"]
    inside = w["invoice_in"].format(number=number) if number else w["draft_in"]
    who = ", ".join(notice.mentioned) or w["someone"]
    category = _CATEGORIES[lang].get(notice.category or "", notice.category or "")
    template = _HEADLINES[lang][notice.kind]
    if personal and notice.kind is Kind.MENTION:
        template = _MENTIONED_YOU[lang]
    headline = template.format(
        subject=subject,
        object=inside,
        actor=notice.actor or w["someone"],
        who=who,
        category=category,
    )
    facts: list[tuple[str, str]] = []
    if notice.customer:
        facts.append((w["customer"], notice.customer))
    if notice.amount:
        named = w["outstanding"] if notice.kind is Kind.OVERDUE else w["amount"]
        facts.append((named, f"{notice.amount} {notice.currency or ''}".strip()))
    if notice.due_date and notice.kind is Kind.OVERDUE:
        facts.append((w["due_date"], notice.due_date))
    quoted = _TEXT_LABELS.get(notice.kind)
    return Words(
        headline=headline,
        facts=tuple(facts),
        quote_label=w[quoted] if quoted and notice.text else None,
        quote=notice.text,
        context=context,
        button=w["open"],
    )


def invoice_link(public_url: str | None, invoice_id: str) -> str | None:
    """The browser's address of the invoice (its hash route, web/src/main.ts); None without
    PUBLIC_URL: the message then goes without a link."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/#/invoices/{invoice_id}"
