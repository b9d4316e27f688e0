"""Where a webhook may go (SSRF): http(s) only, with a host, and by default never to an
address of this machine or its networks: loopback, private, link-local (cloud metadata at
169.254.169.254), multicast, reserved or unspecified. Checked when an endpoint is saved and
again before every attempt (what a name resolves to may change), and each attempt connects to
an address it checked (a name resolved again at connect time could answer otherwise).
`WEBHOOKS_ALLOW_PRIVATE=1` lifts the address rule, for development and the tests."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Final
from urllib.parse import urlsplit

MAX_URL_CHARS: Final = 2000


class Refused(ValueError):
    """Why a URL is not a webhook's."""


def check_form(url: str) -> str:
    """The URL's host, if its form is acceptable (no DNS)."""
    if len(url) > MAX_URL_CHARS:
        raise Refused(f"a webhook URL has at most {MAX_URL_CHARS} characters")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise Refused("a webhook URL is ASCII without spaces (punycode for other names)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("the webhook URL cannot be read") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("a webhook URL is http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise Refused("a webhook URL carries no user name or password")
    if not parts.hostname:
        raise Refused("the webhook URL has no host")
    if port == 0:
        raise Refused("the webhook URL's port is not valid")
    return parts.hostname


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


async def check(url: str, *, allow_private: bool) -> str | None:
    """Refuse `url` by its form, and unless `allow_private`, by every address its host
    resolves to (one forbidden address is enough: a client may pick any). The address to
    connect to: one of those checked, so that a name answering differently the next time
    (DNS rebinding) cannot turn the request to another; None with `allow_private` (any)."""
    host = check_form(url)
    if allow_private:
        return None
    try:
        addresses = await _resolve(host)
    except OSError:
        raise Refused(f"the webhook host {host} does not resolve") from None
    if not addresses or any(_forbidden(a) for a in addresses):
        raise Refused(
            f"the webhook host {host} is a loopback, private, link-local or multicast address"
        )
    return addresses[0]


async def _resolve(host: str) -> list[str]:
    found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found]
