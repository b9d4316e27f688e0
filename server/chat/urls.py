"""Incoming-webhook URLs: which are accepted, how they are shown, how they are kept.

A webhook URL is a secret (whoever has it posts into the channel): it is stored encrypted
(Fernet, with a key derived from SECRET_KEY for this use alone), never returned whole by the
API (`https://hooks.slack.com/…/Ab12`), and only posted to hosts of the provider, over https:

- Slack: `hooks.slack.com` (and `hooks.slack-gov.com`), paths `/services/...`,
  `/workflows/...`, `/triggers/...`;
- Teams: the Office 365 connector hosts (`<tenant>.webhook.office.com`, `outlook.office.com`,
  `outlook.office365.com`) and the Power Automate / Logic Apps workflow hosts that replace
  them (`*.logic.azure.com`, `*.api.powerplatform.com`, `*.powerautomate.com`).

`CHAT_ALLOW_ANY_HOST=1` lifts the host and scheme rules, for tests against a local receiver.
"""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAX_URL_CHARS: Final = 2048
SHOWN_TAIL: Final = 4  # characters of the URL's end shown, enough to tell two apart


class Provider(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


_SLACK_HOSTS: Final = ("hooks.slack.com", "hooks.slack-gov.com")
_SLACK_PATHS: Final = ("/services/", "/workflows/", "/triggers/")
_TEAMS_HOSTS: Final = ("outlook.office.com", "outlook.office365.com")
_TEAMS_SUFFIXES: Final = (
    ".webhook.office.com",
    ".logic.azure.com",
    ".api.powerplatform.com",
    ".powerautomate.com",
)


class RefusedUrl(ValueError):
    """A URL that is not an incoming webhook of its provider; the message says why."""


def check(url: str, provider: Provider, *, any_host: bool = False) -> str:
    """`url` if it may be posted to as `provider`'s incoming webhook, else RefusedUrl."""
    if len(url) > MAX_URL_CHARS or any(not c.isprintable() or c.isspace() for c in url):
        raise RefusedUrl(f"a webhook URL is one line of at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedUrl("not a URL") from None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise RefusedUrl("a webhook URL has a host and no user or password")
    if any_host:
        if parts.scheme not in ("https", "http"):
            raise RefusedUrl("a webhook URL starts with https://")
        return url
    if parts.scheme != "https" or port not in (None, 443):
        raise RefusedUrl("a webhook URL starts with https:// (on the standard port)")
    if provider is Provider.SLACK:
        if host not in _SLACK_HOSTS or not parts.path.startswith(_SLACK_PATHS):
            raise RefusedUrl(
                "a Slack incoming webhook starts with https://hooks.slack.com/services/"
            )
    elif not (host in _TEAMS_HOSTS or host.endswith(_TEAMS_SUFFIXES)):
        raise RefusedUrl(
            "a Teams webhook is on webhook.office.com, or a Power Automate workflow's address"
        )
    return url


def mask(url: str) -> str:
    """What the API shows of a webhook URL: its scheme and host, and its last characters."""
    parts = urlsplit(url)
    tail = url.rstrip("/")[-SHOWN_TAIL:]
    return f"{parts.scheme}://{parts.hostname or ''}/…/{tail}"


class UrlBox:
    """Seals webhook URLs at rest with a key of their own derived from SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"cofacture chat webhooks"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, url: str) -> str:
        return self._fernet.encrypt(url.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError("a webhook URL cannot be decrypted: was SECRET_KEY changed?") from None
