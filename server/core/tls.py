"""The TLS context of the product's outgoing HTTPS requests (webhooks, chat notifications).

Built once: httpx builds one per client otherwise, loading the whole CA bundle each time, tens
of milliseconds of CPU on the event loop per delivery. Read as `tls.CONTEXT` at call time, so
a test can trust its own authority."""

from __future__ import annotations

import ssl

import certifi

CONTEXT: ssl.SSLContext = ssl.create_default_context(cafile=certifi.where())
