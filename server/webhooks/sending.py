"""One webhook request with httpx: no redirects followed (a 3xx is an answer, and a failure),
a 10-second budget for the whole exchange, the response read up to a bound and its first
characters kept for the delivery log."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Final

import httpx

from server.core import tls

TIMEOUT_SECONDS: Final = 10.0
READ_BYTES: Final = 64 * 1024  # read at most this much of an answer (then stop listening)
KEPT_CHARS: Final = 500  # of it, kept in the log
USER_AGENT: Final = "Cofacture-Webhooks/1"


@dataclass(frozen=True, slots=True)
class Result:
    status_code: int | None  # None: no answer
    duration_ms: int
    error: str | None
    response: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post(
    url: str, headers: dict[str, str], body: bytes, *, address: str | None = None
) -> Result:
    """POST `body` to `url`; to `address` when given (the one `urls.check` approved), with the
    URL's host still named in the Host header and, over TLS, in SNI and certificate checks."""
    started = time.perf_counter()
    target, extensions = httpx.URL(url), {}
    if address is not None:
        headers = {**headers, "host": target.netloc.decode("ascii")}
        extensions = {"sni_hostname": target.host}
        target = target.copy_with(host=address)
    status: int | None = None
    head = b""
    error: str | None = None
    try:
        async with (
            asyncio.timeout(TIMEOUT_SECONDS),
            httpx.AsyncClient(
                follow_redirects=False,
                verify=tls.CONTEXT,
                timeout=httpx.Timeout(TIMEOUT_SECONDS),
                trust_env=False,  # no proxy from the environment: the address checked is the one
                # connected to
            ) as client,
            client.stream(
                "POST",
                target,
                content=body,
                extensions=extensions,
                # identity: what is read is what was sent, no decompression to bound
                headers={**headers, "user-agent": USER_AGENT, "accept-encoding": "identity"},
            ) as answer,
        ):
            status = answer.status_code
            async for chunk in answer.aiter_raw():
                head += chunk[: READ_BYTES - len(head)]
                if len(head) >= READ_BYTES:
                    break
    except (TimeoutError, httpx.TimeoutException):
        error = f"no complete answer within {TIMEOUT_SECONDS:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration = round((time.perf_counter() - started) * 1000)
    if error is None and status is not None and not 200 <= status < 300:
        error = f"answered {status}"
    text = head.decode("utf-8", errors="replace")[:KEPT_CHARS] if head else None
    return Result(status, duration, error, text)
