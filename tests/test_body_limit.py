"""Bodies above 64 KiB are refused with the documented JSON 413, whether their length is
declared or they stream in chunks, and the server reads no further than the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from tests.conftest import Running

LIMIT = 64 * 1024


async def _chunks(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        chunk = b" " * min(8192, total - sent)
        sent += len(chunk)
        yield chunk


async def test_oversized_bodies_get_a_json_413(running: Running) -> None:
    token = await running.server.login(running.accounts["alice"])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(
        timeout=30.0, base_url=running.server.http, headers=headers
    ) as http:
        declared = await http.post("/api/invoices", content=b" " * (LIMIT + 1))
        chunked = await http.post("/api/customers", content=_chunks(10 * LIMIT))
        unauthenticated = await http.post(
            "/api/auth/login", content=_chunks(LIMIT + 1), headers={"Authorization": ""}
        )
        fits = await http.post("/api/invoices", content=b" " * (LIMIT - 10) + b"{}")
    for answer in (declared, chunked, unauthenticated):
        assert answer.status_code == 413, answer.text
        assert answer.json() == {"error": f"request body above {LIMIT} bytes"}
    assert fits.status_code == 201, fits.text
