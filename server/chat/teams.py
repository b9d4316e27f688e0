"""A notification as a Microsoft Teams message: an Adaptive Card for an incoming webhook.

Teams incoming webhooks (and the Power Automate "post to a channel when a webhook request is
received" workflows that replace them) take a message activity whose attachment is the card:
`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
"content": <AdaptiveCard>}]}`. The card is version 1.4 (what Teams renders), its link an
`Action.OpenUrl`.

Every text is a `TextRun` inside a `RichTextBlock`: a TextRun is never read as Markdown, so a
user's `[text](url)` or `**bold**` shows as typed (a `TextBlock` would format it).
"""

from __future__ import annotations

from typing import Any, Final

from server.chat.texts import Words

CARD_VERSION: Final = "1.4"
CONTENT_TYPE: Final = "application/vnd.microsoft.card.adaptive"
SCHEMA: Final = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_TEXT: Final = 3000  # per run: Teams caps a whole message near 28 KB


def _run(text: str, **style: Any) -> dict[str, Any]:
    cut = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    return {"type": "TextRun", "text": cut, **style}


def _rich(*runs: dict[str, Any], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(runs), **style}


def card(words: Words, link: str | None, language: str) -> dict[str, Any]:
    """The Adaptive Card alone."""
    body: list[dict[str, Any]] = [_rich(_run(words.headline, weight="Bolder", size="Medium"))]
    for label, value in words.facts:
        body.append(_rich(_run(f"{label}: ", weight="Bolder"), _run(value), spacing="Small"))
    if words.quote:
        runs = [_run(f"{words.quote_label}: ", weight="Bolder")] if words.quote_label else []
        body.append(_rich(*runs, _run(words.quote, italic=True)))
    body.append(_rich(_run(words.context, isSubtle=True, size="Small")))
    made: dict[str, Any] = {
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": language,
        "fallbackText": words.headline,
        "body": body,
    }
    if link:
        made["actions"] = [{"type": "Action.OpenUrl", "title": words.button, "url": link}]
    return made


def message(words: Words, link: str | None, language: str) -> dict[str, Any]:
    """The JSON body posted to a Teams incoming webhook."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": CONTENT_TYPE,
                "contentUrl": None,
                "content": card(words, link, language),
            }
        ],
    }
