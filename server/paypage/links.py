"""The token of a payment link: `<link id>.<mac>`, pure functions.

The link id is 128 random bits stored in `pay_links`; the MAC is HMAC-SHA256 of a purpose
string, the link id and the invoice id with SECRET_KEY. The token is never stored, yet it can
be shown again (the link id is kept), a database dump opens no page (the MAC needs the key),
and a rotation (a new link id) kills the old token at once. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Final

_PURPOSE: Final = b"cofacture/payment-page/v1"
_LINK_ID: Final = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 bytes, base64url without padding
_MAC: Final = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, idem


def new_link_id() -> str:
    """128 random bits, URL-safe."""
    return _b64(secrets.token_bytes(16))


def token(key: str, link_id: str, invoice_id: str) -> str:
    """The public token of a link."""
    return f"{link_id}.{_mac(key, link_id, invoice_id)}"


def link_id_of(token_text: str) -> str | None:
    """The link id a token names, when it is shaped like one of ours (not yet checked)."""
    link_id, _, mac = token_text.partition(".")
    if not _LINK_ID.match(link_id) or not _MAC.match(mac):
        return None
    return link_id


def verify(key: str, token_text: str, invoice_id: str) -> bool:
    """Whether `token_text` is the token of the link it names for `invoice_id`."""
    link_id, _, mac = token_text.partition(".")
    expected = _mac(key, link_id, invoice_id)
    return hmac.compare_digest(mac.encode("ascii", "replace"), expected.encode("ascii"))


def _mac(key: str, link_id: str, invoice_id: str) -> str:
    message = b"\x00".join((_PURPOSE, link_id.encode(), invoice_id.encode()))
    return _b64(hmac.new(key.encode(), message, hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
