"""A notification as a Slack message: Block Kit for an incoming webhook.

`{"text": fallback, "blocks": [section, (quote section), context, actions/button]}`. Every
text is `mrkdwn` with Slack's three control characters escaped (`&` `<` `>`: the only ones
Slack asks to escape), so a customer named `<!channel>` or a comment holding `<https://x|y>`
shows as typed instead of pinging a channel or making a link. Each text stays within Block
Kit's 3,000 characters, a button's label within 75, and a message within 50 blocks.
"""

from __future__ import annotations

from typing import Any, Final

from server.chat.texts import Words

MAX_TEXT: Final = 3000  # a section's or context element's text (Block Kit reference)
MAX_BUTTON_TEXT: Final = 75
MAX_URL: Final = 3000  # a button's url
MAX_BLOCKS: Final = 50
_ELLIPSIS: Final = "…"


def escape(text: str) -> str:
    """Slack's escaping of control characters, `&` first."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(escaped: str, limit: int) -> str:
    """`escaped` cut to at most `limit` characters without splitting an `&...;` entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - len(_ELLIPSIS)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # an entity was cut through: drop its start
    return cut + _ELLIPSIS


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, MAX_TEXT)}}


def message(words: Words, link: str | None) -> dict[str, Any]:
    """The JSON body posted to a Slack incoming webhook."""
    lines = [f"*{escape(words.headline)}*"]
    lines += [f"*{escape(label)}:* {escape(value)}" for label, value in words.facts]
    blocks: list[dict[str, Any]] = [_section("\n".join(lines))]
    if words.quote:
        # `>` opening a line is Slack's quote mark: ours, before the escaped text.
        quoted = "\n".join("> " + escape(line) for line in words.quote.splitlines())
        label = f"*{escape(words.quote_label)}:*\n" if words.quote_label else ""
        blocks.append(_section(label + quoted))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(escape(words.context), MAX_TEXT)}],
        }
    )
    if link and len(link) <= MAX_URL:
        button = words.button[:MAX_BUTTON_TEXT]
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": button},
                        "url": link,
                        "action_id": "open_invoice",
                    }
                ],
            }
        )
    return {"text": clip(escape(words.headline), MAX_TEXT), "blocks": blocks[:MAX_BLOCKS]}
