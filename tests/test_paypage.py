"""The public payment page, through a real server process without Stripe: the link an accountant
hands out (the same until rotated; a viewer may not have it), the page and its PDF signed out,
wrong tokens all the same plain 404, a rotated link dead at once, a paid invoice said paid, no
link for a draft and, without Stripe, no webhook either.

The invoice is tests/test_payments_api.py's: amount due 139.50 EUR (gross 189.50 less 50.00
prepaid), from a French seller (so the page is in French: "139,50 EUR").

The server and the helpers here serve tests/test_paypage_stripe.py too; webhook calls are
signed with the Stripe library's scheme (`t=<time>,v1=HMAC-SHA256(secret, "<time>.<payload>")`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.access_helpers import api, token
from tests.harness import ServerProcess, db_url
from tests.test_organization_profile import PROFILE
from tests.test_payments_api import PEOPLE, Shop, _issued, _pay, _seed

WEBHOOK_SECRET = "whsec_test_secret_for_the_fake"
IBAN_GROUPED = " ".join(PROFILE["iban"][i : i + 4] for i in range(0, len(PROFILE["iban"]), 4))


# -- the server ---------------------------------------------------------------------------------


@asynccontextmanager
async def _shop(data_dir: Path, **env: str) -> AsyncIterator[Shop]:
    url = db_url(data_dir)
    made = await _seed(url, "Acme", PEOPLE)
    server = ServerProcess(data_dir, DATABASE_URL=url, **env)
    try:
        await server.start()
        bearers = {name: await token(server, account) for name, account in made.items()}
        shop = Shop(server, url, made, bearers)
        async with api(server, bearers["adam"]) as http:
            r = await http.put(f"/api/orgs/{shop.org}/profile", json=PROFILE)
        assert r.status_code == 200, r.text
        yield shop
    finally:
        if server.proc and server.proc.poll() is None:
            await server.stop()


@pytest.fixture
async def plain(tmp_path: Path) -> AsyncIterator[Shop]:
    async with _shop(tmp_path) as shop:
        yield shop


# -- helpers ------------------------------------------------------------------------------------


async def _link(shop: Shop, invoice_id: str, *, who: str = "cora", rotate: bool = False) -> str:
    async with api(shop.server, shop.bearers[who]) as http:
        path = f"/api/invoices/{invoice_id}/payment-link"
        r = await (http.post(path) if rotate else http.get(path))
    assert r.status_code == 200, r.text
    url: str = r.json()["url"]
    assert url.startswith(f"{shop.server.http}/pay/")
    return url


async def _public(url: str, *, method: str = "GET") -> httpx.Response:
    """Signed out: no Authorization header, no cookie."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=30.0) as http:  # a PDF render
        return await http.request(method, url)


def _state(page: str) -> str:
    found = re.search(r'id="state" data-state="(\w+)"', page)
    assert found, page
    return found.group(1)


def _signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


async def _deliver(shop: Shop, payload: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or ""}
    if signature is None:
        headers["Stripe-Signature"] = _signed(payload)
    async with httpx.AsyncClient(timeout=30.0, base_url=shop.server.http) as http:
        return await http.post("/api/stripe/webhook", content=payload, headers=headers)


# -- the page -----------------------------------------------------------------------------------


async def test_the_page_signed_out_its_pdf_and_its_tokens(plain: Shop) -> None:
    invoice_id = await _issued(plain)
    url = await _link(plain, invoice_id)
    assert await _link(plain, invoice_id, who="adam") == url  # the same link until rotated
    async with api(plain.server, plain.bearers["vera"]) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/payment-link")
    assert r.status_code == 403  # a viewer may not hand out the link

    r = await _public(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    page = r.text
    assert "<script" not in page
    assert _state(page) == "open"
    assert "Lumière SARL" in page  # the seller, in French: a French seller's PDFs are French
    assert "Facture " in page and "139,50 EUR" in page  # amount due and outstanding
    assert IBAN_GROUPED in page and PROFILE["bic"] in page
    assert re.search(r'id="reference">RF\d\d ', page), "the RF creditor reference"
    assert "<svg" in page  # the EPC QR code, inline
    assert "par carte" not in page  # no Stripe configured: the transfer only

    pdf_path = re.search(r'href="(/pay/[^"]+/invoice\.pdf)"', page)
    assert pdf_path is not None
    r = await _public(f"{plain.server.http}{pdf_path.group(1)}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")

    # A wrong token, a malformed one, one of the right shape: the same plain 404.
    token_text = url.rsplit("/", 1)[1]
    wrong = token_text[:-2] + ("AA" if not token_text.endswith("AA") else "BB")
    for bad in (wrong, "nothing", "x" * 22 + "." + "y" * 43, token_text.split(".")[0]):
        r = await _public(f"{plain.server.http}/pay/{bad}")
        assert r.status_code == 404 and r.text == "Not Found", bad
    r = await _public(f"{plain.server.http}/pay/{wrong}/invoice.pdf")
    assert r.status_code == 404

    # Rotated: the old link is dead at once, the new one works.
    new = await _link(plain, invoice_id, rotate=True)
    assert new != url
    assert (await _public(url)).status_code == 404
    assert (await _public(f"{url}/invoice.pdf")).status_code == 404
    assert (await _public(new)).status_code == 200

    # Paid in full: the page says so.
    assert (await _pay(plain, invoice_id, "139.50")).status_code == 201
    r = await _public(new)
    assert r.status_code == 200 and _state(r.text) == "paid"
    assert "réglée" in r.text


async def test_no_link_for_a_draft(plain: Shop) -> None:
    from tests.test_payments_api import _draft

    draft = await _draft(plain)
    async with api(plain.server, plain.bearers["cora"]) as http:
        r = await http.get(f"/api/invoices/{draft}/payment-link")
    assert r.status_code == 409 and r.json()["code"] == "not_issued"
    r = await _deliver(plain, b"{}")
    assert r.status_code == 404  # no Stripe configured: no webhook either
