"""A webhook over TLS to the address its check approved (server/webhooks/sending.py): the
connection goes to that address, yet the certificate is still checked against the URL's own
host name, which is also the Host header. A real HTTPS receiver, certificates from a test CA."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from server.core import tls
from server.webhooks import sending
from tests.webhook_receiver import receiver

NAME = "hooks.example.test"  # no resolver knows it: only the pinned address reaches the receiver


@pytest.fixture
def ca(monkeypatch: pytest.MonkeyPatch) -> Iterator[trustme.CA]:
    """A CA the deliveries trust, as they trust the public ones in production."""
    made = trustme.CA()
    trusted = ssl.create_default_context()
    made.configure_trust(trusted)
    monkeypatch.setattr(tls, "CONTEXT", trusted)
    yield made


def _pem(ca: trustme.CA, tmp_path: Path, *names: str) -> Path:
    path = tmp_path / f"{names[0]}.pem"
    ca.issue_cert(*names).private_key_and_cert_chain_pem.write_to_path(str(path))
    return path


async def test_the_pinned_address_is_reached_under_the_url_host_name(
    ca: trustme.CA, tmp_path: Path
) -> None:
    async with receiver(tls=_pem(ca, tmp_path, NAME)) as hook:
        url = f"https://{NAME}:{hook.port}/hook"
        result = await sending.post(url, {"x-test": "1"}, b"{}", address="127.0.0.1")
        assert result.ok and result.status_code == 200, result.error
        [received] = hook.received
    assert received.path == "/hook" and received.body == b"{}"
    assert received.headers["host"] == f"{NAME}:{hook.port}"


async def test_a_certificate_for_another_name_is_refused(ca: trustme.CA, tmp_path: Path) -> None:
    """The address answers, but with another host's certificate: checking it against the
    address (or not at all) would deliver the event to a stranger."""
    async with receiver(tls=_pem(ca, tmp_path, "elsewhere.example.test", "127.0.0.1")) as hook:
        url = f"https://{NAME}:{hook.port}/hook"
        result = await sending.post(url, {}, b"{}", address="127.0.0.1")
        assert hook.received == []
    assert result.status_code is None and not result.ok
    assert result.error is not None and "certificate" in result.error.lower()


async def test_a_certificate_from_an_unknown_authority_is_refused(tmp_path: Path) -> None:
    stranger = trustme.CA()  # not trusted by the deliveries
    async with receiver(tls=_pem(stranger, tmp_path, NAME)) as hook:
        url = f"https://{NAME}:{hook.port}/hook"
        result = await sending.post(url, {}, b"{}", address="127.0.0.1")
        assert hook.received == []
    assert result.status_code is None
    assert result.error is not None and "certificate verify failed" in result.error.lower()
