"""A real HTTP receiver of webhooks for the tests: uvicorn on 127.0.0.1 in the test's event loop,
recording every request and answering from a script of status codes (then 200)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from standardwebhooks.webhooks import Webhook
from starlette.types import Receive, Scope, Send

from tests.harness import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str) -> object:
        """The payload, if the reference implementation of Standard Webhooks accepts the
        signature under `secret` (it raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    port: int
    answers: list[int] = field(default_factory=list)  # status codes to answer, in order
    delay: float = 0.0  # seconds before answering
    received: list[Received] = field(default_factory=list)
    answering: int = 0  # requests being held right now

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.received.append(Received(scope["path"], headers, body))
        status = self.answers.pop(0) if self.answers else 200
        self.answering += 1
        try:
            await asyncio.sleep(self.delay)
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": f"answer {status}".encode()})
        finally:
            self.answering -= 1


@contextlib.asynccontextmanager
async def receiver(*, tls: Path | None = None) -> AsyncIterator[Receiver]:
    """With `tls` (a PEM file of key and certificate chain), the receiver speaks HTTPS."""
    made = Receiver(free_port())
    config = uvicorn.Config(
        made,
        host="127.0.0.1",
        port=made.port,
        log_level="warning",
        lifespan="off",
        ssl_certfile=tls,
        ssl_keyfile=tls,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield made
    finally:
        server.should_exit = True
        await task
