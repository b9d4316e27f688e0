"""Sending an issued invoice by e-mail, through a real SMTP server (aiosmtpd) or into the
outbox: the Factur-X PDF attached, the seller's language, resends recorded, each message
delivered once; who may send; organizations' own templates in the sandbox."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from server.auth.permissions import Role
from server.core.settings import Settings
from server.mail.smtp import Smtp
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, wait_for
from tests.smtp_sink import smtp_sink
from tests.test_organization_profile import PROFILE
from tests.test_platforms import _valid_invoice

PEOPLE = {"alice": Role.EDITOR, "abe": Role.APPROVER, "ann": Role.ACCOUNTANT, "adam": Role.ADMIN}


@asynccontextmanager
async def issued(
    tmp_path: Path, **env: str
) -> AsyncIterator[tuple[ServerProcess, dict[str, str], str, str]]:
    """A server with an issued invoice: (server, bearer tokens by name, org id, invoice id)."""
    async with server_with(tmp_path, PEOPLE, **env) as (server, made):
        bearer = {name: await token(server, made[name]) for name in made}
        org = made["alice"].org_id
        async with api(server, bearer["adam"]) as http:
            assert (await http.put(f"/api/orgs/{org}/profile", json=PROFILE)).status_code == 200
        invoice_id = await _valid_invoice(tmp_path, made["alice"])
        for who, action in (("alice", "submit"), ("abe", "approve"), ("abe", "issue")):
            async with api(server, bearer[who]) as http:
                r = await http.post(
                    f"/api/invoices/{invoice_id}/transitions", json={"action": action}
                )
            assert r.status_code == 200, (action, r.text)
        yield server, bearer, org, invoice_id


async def _send(server: ServerProcess, bearer: str, invoice_id: str, **body: Any) -> Any:
    async with api(server, bearer) as http:
        return await http.post(f"/api/invoices/{invoice_id}/send", json=body)


async def test_an_issued_invoice_reaches_the_customer_once_with_its_factur_x(
    tmp_path: Path,
) -> None:
    with smtp_sink() as (sink, port):
        async with issued(tmp_path, SMTP_URL=f"smtp://127.0.0.1:{port}") as (
            server,
            bearer,
            _org,
            invoice_id,
        ):
            # The customer on this invoice has no e-mail address: say whom to send it to.
            r = await _send(server, bearer["ann"], invoice_id)
            assert r.status_code == 409 and r.json()["code"] == "no_to", r.text
            r = await _send(
                server,
                bearer["ann"],
                invoice_id,
                to=["billing@client.example"],
                cc=["boss@client.example"],
                message="Merci pour votre confiance.",
            )
            assert r.status_code == 201, r.text
            sent = r.json()
            assert sent["status"] == "queued" and sent["attachments"] == ["F2026-000001.pdf"]
            await wait_for(lambda: _received(sink, 1), timeout=20, what="the message")
            envelope, message = sink.messages[0]
            assert sorted(envelope) == ["billing@client.example", "boss@client.example"]
            assert message["To"] == "billing@client.example"
            assert message["Cc"] == "boss@client.example"
            # The seller is French: the French template, the amount as issued (3 x 45.00 net,
            # 20 % VAT: 162.00), the personal note in the body.
            assert message["Subject"] == "Facture F2026-000001 de " + PROFILE["legal_name"]
            body = message.get_body(("plain",))
            assert body is not None
            text = body.get_content()
            assert "162.00 EUR" in text and "2026-12-27" in text
            assert "Merci pour votre confiance." in text
            [attachment] = list(message.iter_attachments())
            assert attachment.get_content_type() == "application/pdf"
            pdf = PdfReader(io.BytesIO(attachment.get_content()))
            assert "factur-x.xml" in pdf.attachments  # Factur-X: the CII travels inside

            async def recorded_sent() -> bool:
                async with api(server, bearer["alice"]) as http:
                    got = (await http.get(f"/api/invoices/{invoice_id}/messages")).json()
                return [m["status"] for m in got["items"]] == ["sent"]

            await wait_for(recorded_sent, what="the message recorded as sent")
            # A resend, in English this time: a second message, recorded beside the first.
            r = await _send(
                server, bearer["abe"], invoice_id, to=["billing@client.example"], language="en"
            )
            assert r.status_code == 201, r.text
            await wait_for(lambda: _received(sink, 2), timeout=20, what="the resend")
            assert sink.messages[1][1]["Subject"].startswith("Invoice F2026-000001 from")
            assert sink.messages[0][1]["Message-ID"] != sink.messages[1][1]["Message-ID"]
            await asyncio.sleep(3)  # past a worker poll: nothing is delivered twice
            assert len(sink.messages) == 2
            async with api(server, bearer["adam"]) as http:
                events = (await http.get(f"/api/orgs/{_org}/audit", params={"limit": 50})).json()
            sends = [e for e in events["items"] if e["event"] == "invoice.sent"]
            assert len(sends) == 2


async def _received(sink: Any, count: int) -> bool:
    return len(sink.messages) >= count


async def test_without_smtp_the_message_waits_in_the_outbox_for_admins(tmp_path: Path) -> None:
    async with issued(tmp_path) as (server, bearer, org, invoice_id):
        r = await _send(server, bearer["ann"], invoice_id, to=["billing@client.example"])
        assert r.status_code == 201 and r.json()["status"] == "outbox", r.text
        async with api(server, bearer["adam"]) as http:
            outbox = (await http.get(f"/api/orgs/{org}/outbox", params={"status": "outbox"})).json()
        [message] = outbox["items"]
        assert message["to"] == ["billing@client.example"] and message["invoice_id"] == invoice_id
        assert message["subject"].startswith("Facture F2026-000001")
        async with api(server, bearer["ann"]) as http:
            assert (await http.get(f"/api/orgs/{org}/outbox")).status_code == 403


async def test_who_may_send_what_and_to_whom(tmp_path: Path) -> None:
    async with issued(tmp_path) as (server, bearer, _org, invoice_id):
        r = await _send(server, bearer["alice"], invoice_id, to=["a@client.example"])
        assert r.status_code == 403, r.text  # an editor neither issues nor handles payments
        for bad in (["not an address"], ["a@b"], ["x@client.example\r\nBcc: y@evil.example"]):
            r = await _send(server, bearer["ann"], invoice_id, to=bad)
            assert r.status_code == 400, (bad, r.text)
        r = await _send(server, bearer["ann"], invoice_id, to=["a@client.example"], extra=1)
        assert r.status_code == 400
        async with api(server, bearer["alice"]) as http:
            draft = (await http.post("/api/invoices", json={})).json()["id"]
        r = await _send(server, bearer["ann"], draft, to=["a@client.example"])
        assert r.status_code == 409 and r.json()["code"] == "not_issued"
        r = await _send(server, bearer["ann"], "00000000-0000-4000-8000-000000000000", to=[])
        assert r.status_code == 404


async def test_an_organization_writes_its_own_template_inside_the_sandbox(tmp_path: Path) -> None:
    async with issued(tmp_path) as (server, bearer, org, invoice_id):
        url = f"/api/orgs/{org}/mail-templates/invoice/fr"
        async with api(server, bearer["adam"]) as http:
            ours = (await http.get(url)).json()
            assert ours["own"] is False and "{{ number }}" in ours["subject"]
            escape = {"subject": "{{ number.__class__.__mro__ }}", "body": "x"}
            assert (await http.put(url, json=escape)).status_code == 400
            broken = {"subject": "{% if %}", "body": "x"}
            assert (await http.put(url, json=broken)).status_code == 400
            own = {"subject": "Votre facture {{ number }}", "body": "Montant : {{ amount }}\n"}
            r = await http.put(url, json=own)
            assert r.status_code == 200 and r.json()["own"] is True, r.text
        async with api(server, bearer["ann"]) as http:
            assert (await http.put(url, json=own)).status_code == 403
        r = await _send(server, bearer["ann"], invoice_id, to=["a@client.example"])
        assert r.json()["subject"] == "Votre facture F2026-000001"
        assert r.json()["body"] == "Montant : 162.00\n"


def test_a_wrong_smtp_url_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    base = {"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)}
    for wrong in ("smtp://host:abc", "smtp://host:99999", "http://host", "smtp://"):
        with pytest.raises(SystemExit, match="SMTP_URL must look like"):
            Settings.from_env({**base, "SMTP_URL": wrong})
    good = Settings.from_env({**base, "SMTP_URL": "smtps://u:p%40ss@mail.example"})
    smtp = Smtp.parse(good.smtp_url or "")
    assert (smtp.hostname, smtp.port, smtp.password, smtp.use_tls) == (
        "mail.example",
        465,
        "p@ss",
        True,
    )
