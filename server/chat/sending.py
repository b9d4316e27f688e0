"""Delivery: the two jobs a notification becomes, and the POST to a webhook.

- `chat.deliver` (key `chat:<event id>:<channel id>`): word the notice in the channel's
  language and format, POST it. 2xx: delivered. A timeout, a connection error, 429 or 5xx:
  raised, so the job queue retries it with its backoff (10 s doubling, 8 attempts). A 4xx
  saying the webhook is gone (Slack `no_service`, 404 or 410; Teams 410) switches the channel
  off and tells its admins (or its owner) by e-mail; any other 4xx is recorded on the channel
  and not retried (the same body would be refused again).
- `chat.email` (key `chat-mail:<event id>:<user id>`): the notification by e-mail through
  server/mail (SMTP, or the outbox), in the person's language, if they still want it.

Redirects are not followed: a webhook answers, it does not send us elsewhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Role, membership, org_users, users_by_id
from server.chat import slack, teams
from server.chat.config import CONFIG
from server.chat.models import ChatChannel, NotificationSettings
from server.chat.notices import KINDS, Kind, Notice
from server.chat.texts import invoice_link, words
from server.chat.urls import Provider
from server.core import tls
from server.jobs import service as jobs
from server.mail import service as mail

log = logging.getLogger(__name__)

DELIVER: Final = "chat.deliver"
EMAIL: Final = "chat.email"
MAX_ERROR_CHARS: Final = 400


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    status: int | None  # the webhook's HTTP status; None: no answer
    error: str | None
    gone: bool = False  # the webhook no longer exists: the channel was switched off


class Retry(Exception):
    """No answer, or one that another attempt may change (429, 5xx): the queue retries."""


def body_of(channel: ChatChannel, notice: Notice) -> dict[str, Any]:
    """What is posted to `channel` for `notice`."""
    kinds = tuple(k for k in KINDS if k.value in channel.kinds.split(","))
    said = words(notice, channel.language, personal=channel.user_id is not None, kinds=kinds)
    link = None if notice.test else invoice_link(CONFIG.public_url, notice.invoice_id)
    if channel.provider == Provider.TEAMS:
        return teams.message(said, link, channel.language)
    return slack.message(said, link)


def _gone(provider: str, status: int, text: str) -> bool:
    if provider == Provider.SLACK:
        return status in (404, 410) or "no_service" in text or "channel_is_archived" in text
    return status == 410


async def post(url: str, body: dict[str, Any], provider: str) -> Outcome:
    """POST `body` as JSON to `url`, within CONFIG.timeout; Retry when worth another go."""
    try:
        async with httpx.AsyncClient(
            timeout=CONFIG.timeout, follow_redirects=False, verify=tls.CONTEXT
        ) as client:
            answer = await client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise Retry(f"no answer: {type(exc).__name__}") from exc
    text = answer.text[:MAX_ERROR_CHARS]
    if answer.is_success:
        return Outcome(True, answer.status_code, None)
    if answer.status_code == 429 or answer.status_code >= 500:
        raise Retry(f"HTTP {answer.status_code}: {text}")
    gone = _gone(provider, answer.status_code, text)
    return Outcome(False, answer.status_code, f"HTTP {answer.status_code}: {text}", gone)


async def post_to(
    db: AsyncSession, channel: ChatChannel, notice: Notice, *, org_id: str | None, tell: bool
) -> Outcome:
    """Post `notice` to `channel` and record the answer on it; a gone webhook switches it off
    (and, `tell`, its admins or owner hear of it)."""
    url = CONFIG.sealer().open(channel.url_sealed)
    now = datetime.now(UTC)
    try:
        outcome = await post(url, body_of(channel, notice), channel.provider)
    except Retry as exc:
        if tell:
            raise  # a delivery job: the queue retries it
        outcome = Outcome(False, None, str(exc)[:MAX_ERROR_CHARS])
    channel.last_status, channel.last_error = outcome.status, outcome.error
    channel.last_delivery_at = now
    if outcome.gone:
        await _switch_off(db, channel, outcome, org_id=org_id, tell=tell)
    return outcome


async def _switch_off(
    db: AsyncSession, channel: ChatChannel, outcome: Outcome, *, org_id: str | None, tell: bool
) -> None:
    channel.enabled = False
    channel.disabled_reason = f"the webhook is gone ({outcome.error})"[:MAX_ERROR_CHARS]
    channel.updated_at = datetime.now(UTC)
    audit.record(
        db,
        AuditKind.CHAT_CHANNEL_DISABLED,
        actor_id=None,
        ip=None,
        org_id=channel.org_id,
        target=f"chat channel {channel.id}",
        detail=f"{channel.provider} {channel.name}: {outcome.error}",
    )
    if not tell or org_id is None:
        return  # a test: the admin is looking at the answer
    if channel.user_id is not None:
        found = await users_by_id(db, [channel.user_id])
        people = list(found.values())
    else:
        people = []
        for user in await org_users(db, org_id):
            member = await membership(db, user.id, org_id)
            if member is not None and member.role is Role.ADMIN:
                people.append(user)
    for person in people:
        chosen = await db.get(NotificationSettings, person.id)
        await mail.compose(
            db,
            org_id=org_id,
            purpose="chat_disabled",
            language=chosen.language if chosen else "en",
            to=[person.email],
            variables={
                "name": person.name,
                "channel": channel.name,
                "provider": "Slack" if channel.provider == Provider.SLACK else "Microsoft Teams",
                "reason": outcome.error or "",
            },
        )


async def deliver(ctx: jobs.Context) -> None:
    """The `chat.deliver` job."""
    channel = await ctx.db.get(ChatChannel, ctx.payload["channel_id"])
    notice = Notice.from_json(ctx.payload["notice"])
    if channel is None or not channel.enabled or notice.kind.value not in channel.kinds.split(","):
        return  # removed, switched off or narrowed since: nothing to say
    outcome = await post_to(ctx.db, channel, notice, org_id=ctx.org_id, tell=True)
    if not outcome.delivered and not outcome.gone:
        log.warning("chat channel %s refused a notification: %s", channel.id, outcome.error)


async def email(ctx: jobs.Context) -> None:
    """The `chat.email` job: the notification by e-mail, if the person still wants it and
    still belongs to the organization."""
    user_id, org_id = ctx.payload["user_id"], ctx.org_id
    notice = Notice.from_json(ctx.payload["notice"])
    chosen = await ctx.db.get(NotificationSettings, user_id)
    wanted = chosen.email_kinds.split(",") if chosen else [Kind.MENTION.value]
    if org_id is None or notice.kind.value not in wanted:
        return
    if await membership(ctx.db, user_id, org_id) is None:
        return
    person = (await users_by_id(ctx.db, [user_id])).get(user_id)
    if person is None:
        return
    language = chosen.language if chosen else "en"
    said = words(notice, language, personal=True)
    await mail.compose(
        ctx.db,
        org_id=org_id,
        purpose="notification",
        language=language,
        to=[person.email],
        variables={
            "name": person.name,
            "headline": said.headline,
            "facts": [{"label": label, "value": value} for label, value in said.facts],
            "quote_label": said.quote_label or "",
            "quote": said.quote or "",
            "link": invoice_link(CONFIG.public_url, notice.invoice_id) or "",
        },
        invoice_id=notice.invoice_id,
    )
