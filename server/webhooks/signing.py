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

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

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


class SecretBox:
    """Seals endpoint secrets at rest (signing needs them back, so no hash): Fernet under a key
    derived from SECRET_KEY for this use alone. A copy of the database alone signs nothing."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"cofacture outgoing webhooks"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(
                "a webhook secret cannot be decrypted: was SECRET_KEY changed?"
            ) from None


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the three of the specification and the body's type."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }
