"""Chat channels and notification settings: the only way in for routes and app assembly.

- `configure(...)` at app assembly: the link base (PUBLIC_URL), the URL key, the host rule,
  and the two delivery jobs (sending.py).
- Channels: an organization's (admins) or a person's own; each a Slack or Teams incoming
  webhook, sealed at rest, shown masked, with the kinds it receives.
- `on_event` is the domain-events subscriber (fanout.py): one job per (event, channel) and
  per (event, recipient), keyed by the event's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.chat import sending
from server.chat.config import CONFIG
from server.chat.fanout import on_event as on_event
from server.chat.models import ChatChannel, NotificationSettings
from server.chat.notices import DEFAULT_EMAIL_KINDS, KINDS, Kind, Notice
from server.chat.sending import Outcome
from server.chat.urls import Provider, RefusedUrl, UrlBox, check, mask
from server.core.errors import BadRequest, Conflict, NotFound
from server.jobs import service as jobs

MAX_ORG_CHANNELS: Final = 20
MAX_OWN_CHANNELS: Final = 5


def configure(
    *, secret_key: str, public_url: str | None, allow_any_host: bool, timeout: float = 10.0
) -> None:
    """This process's settings, and the handlers of the chat and e-mail delivery jobs."""
    CONFIG.box = UrlBox(secret_key)
    CONFIG.public_url = public_url
    CONFIG.any_host = allow_any_host
    CONFIG.timeout = timeout
    jobs.register(sending.DELIVER, sending.deliver)
    jobs.register(sending.EMAIL, sending.email)


def public_url_set() -> bool:
    return CONFIG.public_url is not None


def kinds_of(stored: str) -> list[Kind]:
    return [Kind(k) for k in stored.split(",") if k in KINDS]


def _stored(kinds: Iterable[Kind]) -> str:
    return ",".join(k.value for k in KINDS if k in set(kinds))  # in KINDS' order, once each


def channel_json(row: ChatChannel) -> dict[str, Any]:
    """A channel as the API shows it: never its whole URL."""
    return {
        "id": row.id,
        "provider": row.provider,
        "name": row.name,
        "url": row.url_hint,
        "kinds": [k.value for k in kinds_of(row.kinds)],
        "language": row.language,
        "enabled": row.enabled,
        "disabled_reason": row.disabled_reason,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "last_delivery_at": row.last_delivery_at.isoformat() if row.last_delivery_at else None,
        "created_at": row.created_at.isoformat(),
    }


async def channels(
    db: AsyncSession, *, org_id: str | None = None, owner_id: str | None = None
) -> list[ChatChannel]:
    """An organization's channels, or (`owner_id`) a person's own, oldest first."""
    query = select(ChatChannel).order_by(ChatChannel.created_at, ChatChannel.id)
    if owner_id is not None:
        query = query.where(ChatChannel.user_id == owner_id, ChatChannel.org_id.is_(None))
    else:
        query = query.where(ChatChannel.org_id == org_id, ChatChannel.user_id.is_(None))
    return list(await db.scalars(query))


async def find(
    db: AsyncSession, *, channel_id: str, org_id: str | None = None, owner_id: str | None = None
) -> ChatChannel:
    """The channel if it belongs to `org_id` (or is `owner_id`'s own); 404 otherwise, the same
    answer as for an id that does not exist."""
    row = await db.get(ChatChannel, channel_id) if len(channel_id) <= 36 else None
    mine = row is not None and (
        (owner_id is not None and row.user_id == owner_id and row.org_id is None)
        or (owner_id is None and row.org_id == org_id and row.user_id is None)
    )
    if row is None or not mine:
        raise NotFound("no such channel")
    return row


def _url(url: str, provider: Provider) -> str:
    try:
        return check(url.strip(), provider, any_host=CONFIG.any_host)
    except RefusedUrl as refused:
        raise BadRequest(str(refused), code="url") from None


async def add(
    db: AsyncSession,
    *,
    org_id: str | None,
    owner_id: str | None,
    provider: Provider,
    name: str,
    url: str,
    kinds: Sequence[Kind],
    language: str,
    created_by: str,
) -> ChatChannel:
    """A new channel of the organization (or, `owner_id`, of that person)."""
    checked = _url(url, provider)
    count = await db.scalar(
        select(func.count()).where(
            ChatChannel.user_id == owner_id if owner_id else ChatChannel.org_id == org_id,
            ChatChannel.org_id.is_(None) if owner_id else ChatChannel.user_id.is_(None),
        )
    )
    limit = MAX_OWN_CHANNELS if owner_id else MAX_ORG_CHANNELS
    if (count or 0) >= limit:
        raise Conflict(f"at most {limit} channels", code="too_many")
    now = datetime.now(UTC)
    row = ChatChannel(
        id=str(uuid.uuid4()),
        org_id=None if owner_id else org_id,
        user_id=owner_id,
        provider=provider.value,
        name=name.strip(),
        url_sealed=CONFIG.sealer().seal(checked),
        url_hint=mask(checked),
        kinds=_stored(kinds),
        language=language,
        enabled=True,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    await db.flush()
    return row


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """What a PATCH changes; None: unchanged."""

    name: str | None = None
    url: str | None = None
    kinds: Sequence[Kind] | None = None
    language: str | None = None
    enabled: bool | None = None


async def change(db: AsyncSession, row: ChatChannel, new: Change) -> list[str]:
    """Apply `new`; the names of what changed (for the audit). Enabling a channel a delivery
    switched off clears why."""
    changed = []
    if new.name is not None and new.name.strip() != row.name:
        row.name = new.name.strip()
        changed.append("name")
    if new.url is not None:
        checked = _url(new.url, Provider(row.provider))
        row.url_sealed, row.url_hint = CONFIG.sealer().seal(checked), mask(checked)
        changed.append("url")
    if new.kinds is not None and _stored(new.kinds) != row.kinds:
        row.kinds = _stored(new.kinds)
        changed.append("kinds")
    if new.language is not None and new.language != row.language:
        row.language = new.language
        changed.append("language")
    if new.enabled is not None and new.enabled != row.enabled:
        row.enabled = new.enabled
        if new.enabled:
            row.disabled_reason = None
        changed.append("enabled" if new.enabled else "disabled")
    if changed:
        row.updated_at = datetime.now(UTC)
    return changed


async def remove(db: AsyncSession, row: ChatChannel) -> None:
    await db.delete(row)
    await db.flush()


async def send_test(db: AsyncSession, row: ChatChannel) -> Outcome:
    """Post a test message now (not through the queue: the admin waits for the answer). A
    webhook that is gone switches the channel off, as a delivery would."""
    notice = Notice(kind=Kind.APPROVAL, invoice_id="", test=True)
    return await sending.post_to(db, row, notice, org_id=row.org_id, tell=False)


@dataclass(frozen=True, slots=True)
class Settings:
    language: str
    email_kinds: tuple[Kind, ...]


async def settings_of(db: AsyncSession, user_id: str) -> Settings:
    row = await db.get(NotificationSettings, user_id)
    if row is None:
        return Settings("en", tuple(k for k in KINDS if k in DEFAULT_EMAIL_KINDS))
    return Settings(row.language, tuple(kinds_of(row.email_kinds)))


async def save_settings(
    db: AsyncSession, *, user_id: str, language: str, email_kinds: Sequence[Kind]
) -> Settings:
    row = await db.get(NotificationSettings, user_id)
    now = datetime.now(UTC)
    if row is None:
        row = NotificationSettings(
            user_id=user_id, language=language, email_kinds="", updated_at=now
        )
        db.add(row)
    row.language, row.email_kinds, row.updated_at = language, _stored(email_kinds), now
    await db.flush()
    return Settings(row.language, tuple(kinds_of(row.email_kinds)))
