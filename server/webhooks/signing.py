"""The Standard Webhooks scheme (https://www.standardwebhooks.com), as pure functions.

- A secret is `whsec_` + base64 of random bytes (24 to 64 by the specification; we make 32).
- The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the signature is
  `v1,` + base64 of its HMAC-SHA256 under the secret's bytes.
- `webhook-id` is the event's id, the same on every retry and replay of that event to an
  endpoint, so that a receiver can drop what it already handled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

PREFIX: Final = "whsec_"
SECRET_BYTES: Final = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the three of the specification and the body's type."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }
