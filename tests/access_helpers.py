"""Helpers for the access-control tests: API clients, raw socket probes, configured servers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Doc, Map
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from collab.sync.protocol import (
    AuthMessage,
    SyncMessage,
    SyncType,
    decode_message,
    encode_sync_step1,
    encode_update,
)
from server.auth.permissions import Role
from tests.harness import Account, ServerProcess, seed, wait_for


async def login(
    server: ServerProcess, account: Account, *, totp: str | None = None, password: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"email": account.email, "password": password or account.password}
    if totp is not None:
        body["totp"] = totp
    async with httpx.AsyncClient(timeout=30.0) as client:
        return await client.post(f"{server.http}/api/auth/login", json=body)


async def token(server: ServerProcess, account: Account) -> str:
    r = await login(server, account)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def api(server: ServerProcess, bearer: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    # httpx's 5 s default is a test-side limit a first PDF render can pass on a busy machine
    # (two test processes on two cores): a hang still fails, on pytest-timeout.
    return httpx.AsyncClient(base_url=server.http, headers=headers, timeout=30.0)


async def edit(ws: ClientConnection, key: str, value: str, timeout: float = 2.0) -> None:
    """Sync a fresh Yjs document from the server, then set `invoice.<key>` and send the update,
    so that the edit comes causally after everything the server had (and wins over it)."""
    doc: Doc[Any] = Doc()
    await ws.send(encode_sync_step1(doc.get_state()))
    deadline = time.monotonic() + timeout
    while True:
        frame = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
        message = decode_message(frame if isinstance(frame, bytes) else frame.encode())
        if isinstance(message, SyncMessage) and message.kind is SyncType.STEP2:
            doc.apply_update(message.payload)
            break
    before = doc.get_state()
    invoice = doc.get("invoice", type=Map)
    invoice[key] = value
    await ws.send(encode_update(doc.get_update(before)))


async def wait_denied(ws: ClientConnection, timeout: float = 1.0) -> str:
    """The reason of the next permission-denied message; fail if none comes within `timeout`."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frame = await asyncio.wait_for(ws.recv(), remaining)
        except TimeoutError:
            break
        message = decode_message(frame if isinstance(frame, bytes) else frame.encode())
        if isinstance(message, AuthMessage):
            return message.reason
    raise AssertionError(f"no permission-denied message within {timeout} s")


async def wait_closed(ws: ClientConnection, timeout: float = 1.0) -> int:
    """The close code of a socket the server closes within `timeout`."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            await asyncio.wait_for(ws.recv(), remaining)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code
        except TimeoutError:
            break
    raise AssertionError(f"the server did not close the socket within {timeout} s")


async def document_field(server: ServerProcess, bearer: str, invoice_id: str, key: str) -> Any:
    async with api(server, bearer) as http:
        r = await http.get(f"/api/invoices/{invoice_id}")
        assert r.status_code == 200, r.text
        return r.json()["invoice"].get(key)


async def wait_field(
    server: ServerProcess, bearer: str, invoice_id: str, key: str, value: str
) -> None:
    async def arrived() -> bool:
        return bool(await document_field(server, bearer, invoice_id, key) == value)

    await wait_for(arrived, timeout=2.0, what=f"invoice.{key} == {value!r} in the document")


def ws_url(server: ServerProcess, invoice_id: str, bearer: str) -> str:
    return f"{server.ws}/{invoice_id}?token={bearer}"


@asynccontextmanager
async def server_with(
    data_dir: Path, users: dict[str, Role], org: str = "Acme", **env: str
) -> AsyncIterator[tuple[ServerProcess, dict[str, Account]]]:
    """A server process with its own settings, over freshly seeded users."""
    accounts = await seed(data_dir, org=org, users=users)
    server = ServerProcess(data_dir, **env)
    await server.start()
    try:
        yield server, accounts
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()
