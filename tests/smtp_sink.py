"""A real SMTP server for the tests (aiosmtpd), keeping every message it accepts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.harness import free_port


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []  # (envelope recipients, message)
        self.refuse: str | None = None  # an SMTP answer to give instead of accepting, e.g. "550 no"
        # Seconds between receiving a message's data and accepting it, as a slow server; a
        # client gone meanwhile gets nothing accepted (the message was never the server's).
        self.delay = 0.0
        self.receiving = False  # inside that delay now

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse is not None:
            return self.refuse
        if self.delay:
            self.receiving = True
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.receiving = False
            if server.transport is None or server.transport.is_closing():
                return "421 the client left before the message was accepted"
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed: Any = message_from_bytes(data, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    """(the sink, its port) on 127.0.0.1 while the block runs."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
