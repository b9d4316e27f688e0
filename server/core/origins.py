"""The WebSocket Origin check against cross-site WebSocket hijacking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit


def origin_allowed(headers: Mapping[str, str], allowed: Sequence[str]) -> bool:
    """Browsers always send Origin on a WebSocket; other clients (servers, scripts) may not.

    No Origin: allowed (tokens, not cookies, authenticate, so only a browser can be abused).
    With ALLOWED_ORIGINS set: the origin must be one of them. Unset: the origin's host must
    be the host the request was sent to (same-origin deployments need no setting).
    """
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().rstrip("/")
    if allowed:
        return origin in allowed or "*" in allowed
    host = headers.get("host", "")
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host
