"""The SMTP side: `SMTP_URL` read once, a message built with the standard library's
`email.message`, handed over with aiosmtplib."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from server.mail.models import MailAttachment, MailMessage

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Smtp:
    """`smtp://[user:password@]host[:port][?starttls=1]` (port 25 by default; STARTTLS when
    asked, or when the server offers it), or `smtps://...` (TLS from the start, port 465)."""

    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None  # None: when the server offers it

    @classmethod
    def parse(cls, url: str) -> Smtp:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", [""])[0]
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=True if starttls in ("1", "true") else False if starttls == "0" else None,
        )

    async def send(self, message: EmailMessage) -> None:
        """Raise aiosmtplib.SMTPException (or OSError) when the server does not take it."""
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=TIMEOUT_SECONDS,
        )


def email_of(
    row: MailMessage, recipients: list[str], copies: list[str], files: list[MailAttachment]
) -> EmailMessage:
    """The message as sent: its Message-ID is the row's, the same at every attempt, so that a
    repeat (a process killed between the server's acceptance and our commit) is recognisable."""
    message = EmailMessage()
    message["From"] = row.sender
    message["To"] = ", ".join(recipients)
    if copies:
        message["Cc"] = ", ".join(copies)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message.set_content(row.body)
    for file in files:
        main, _, sub = file.content_type.partition("/")
        message.add_attachment(file.data, maintype=main, subtype=sub, filename=file.filename)
    return message


def is_permanent(exc: Exception) -> bool:
    """A refusal another attempt will not change: a 5xx answer, or every recipient refused."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return True
    code = getattr(exc, "code", None)
    return (
        isinstance(exc, aiosmtplib.SMTPResponseException) and isinstance(code, int) and code >= 500
    )
