"""The public payment page and its Stripe adapter, through a real server process.

The invoice is tests/test_payments_api.py's: amount due 139.50 EUR (gross 189.50 less 50.00
prepaid), from a French seller (so the page is in French: "139,50 EUR").

Stripe is never reached: the server's STRIPE_API_BASE points the official library at a fake
HTTP server run here, which records what it was sent; webhook calls are signed here with the
library's scheme (`t=<time>,v1=HMAC-SHA256(secret, "<time>.<payload>")`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from server.auth.permissions import Role
from tests.access_helpers import api, token
from tests.harness import ServerProcess, db_url
from tests.test_organization_profile import PROFILE
from tests.test_payments_api import PEOPLE, Shop, _issued, _pay, _seed

WEBHOOK_SECRET = "whsec_test_secret_for_the_fake"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_fake"
IBAN_GROUPED = " ".join(PROFILE["iban"][i : i + 4] for i in range(0, len(PROFILE["iban"]), 4))


# -- a fake Stripe API --------------------------------------------------------------------------


class FakeStripe:
    """Answers POST /v1/checkout/sessions like Stripe, and keeps every request's form."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                fake.requests.append(("POST", self.path, form, dict(self.headers)))
                number = len(fake.requests)
                body = json.dumps(
                    {
                        "id": f"cs_test_{number}",
                        "object": "checkout.session",
                        "mode": "payment",
                        "url": f"{CHECKOUT_URL}{number}",
                        "amount_total": int(form["line_items[0][price_data][unit_amount]"][0]),
                        "currency": form["line_items[0][price_data][currency]"][0],
                        "client_reference_id": form["client_reference_id"][0],
                        "payment_status": "unpaid",
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


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


@pytest.fixture
async def stripe_shop(tmp_path: Path, fake_stripe: FakeStripe) -> AsyncIterator[Shop]:
    env = {
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake_stripe.url,
    }
    async with _shop(tmp_path, **env) as shop:
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
    async with httpx.AsyncClient(follow_redirects=False) as http:
        return await http.request(method, url)


def _state(page: str) -> str:
    found = re.search(r'id="state" data-state="(\w+)"', page)
    assert found, page
    return found.group(1)


def _signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def _event(event_id: str, kind: str, obj: dict[str, Any], created: int) -> bytes:
    body = {
        "id": event_id,
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": created,
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def _session(
    shop: Shop,
    invoice_id: str,
    *,
    session: str = "cs_test_1",
    paid: bool = True,
    amount: int = 13950,
    org: str | None = None,
) -> dict[str, Any]:
    return {
        "id": session,
        "object": "checkout.session",
        "mode": "payment",
        "amount_total": amount,
        "currency": "eur",
        "client_reference_id": invoice_id,
        "metadata": {"invoice_id": invoice_id, "org_id": org or shop.org},
        "payment_intent": f"pi_{session}",
        "payment_status": "paid" if paid else "unpaid",
    }


async def _deliver(shop: Shop, payload: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or ""}
    if signature is None:
        headers["Stripe-Signature"] = _signed(payload)
    async with httpx.AsyncClient(base_url=shop.server.http) as http:
        return await http.post("/api/stripe/webhook", content=payload, headers=headers)


async def _outcome(shop: Shop, payload: bytes) -> str:
    r = await _deliver(shop, payload)
    assert r.status_code == 200, r.text
    outcome: str = r.json()["outcome"]
    return outcome


async def _payments(shop: Shop, invoice_id: str) -> dict[str, Any]:
    async with api(shop.server, shop.bearers["vera"]) as http:
        r = await http.get(f"/api/invoices/{invoice_id}/payments")
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


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


# -- Stripe -------------------------------------------------------------------------------------


async def test_card_checkout_sends_the_outstanding_amount(
    stripe_shop: Shop, fake_stripe: FakeStripe
) -> None:
    invoice_id = await _issued(stripe_shop)
    assert (await _pay(stripe_shop, invoice_id, "100.00")).status_code == 201
    url = await _link(stripe_shop, invoice_id)
    page = (await _public(url)).text
    assert "Payer 39,50 EUR par carte" in page
    assert (
        'action="/pay/' in page
        and "checkout.stripe.com" in (await _public(url)).headers["content-security-policy"]
    )

    r = await _public(f"{url}/card", method="POST")
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{CHECKOUT_URL}1"
    [(method, path, form, headers)] = fake_stripe.requests
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["Authorization"] == "Bearer sk_test_fake"
    assert form["mode"] == ["payment"]
    assert form["line_items[0][price_data][unit_amount]"] == ["3950"]  # 39.50 EUR in cents
    assert form["line_items[0][price_data][currency]"] == ["eur"]
    assert form["client_reference_id"] == [invoice_id]
    assert form["metadata[invoice_id]"] == [invoice_id]
    assert form["metadata[org_id]"] == [stripe_shop.org]
    assert form["success_url"][0].startswith(url) and form["cancel_url"] == [url]

    # A bad token makes no checkout.
    r = await _public(f"{url}x/card", method="POST")
    assert r.status_code == 404 and len(fake_stripe.requests) == 1


async def test_webhook_records_one_payment_whatever_the_replays(stripe_shop: Shop) -> None:
    invoice_id = await _issued(stripe_shop)
    now = int(time.time())
    pending = _event(
        "evt_1", "checkout.session.completed", _session(stripe_shop, invoice_id, paid=False), now
    )
    succeeded = _event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        _session(stripe_shop, invoice_id),
        now + 60,
    )
    older = _event(
        "evt_0", "checkout.session.completed", _session(stripe_shop, invoice_id), now - 60
    )

    # A bad signature: 400, nothing changes (a wrong secret, a changed body, none at all).
    for signature in (_signed(succeeded, "whsec_wrong"), _signed(succeeded + b" "), "t=1,v1=00"):
        r = await _deliver(stripe_shop, succeeded, signature)
        assert r.status_code == 400 and r.json()["code"] == "bad_signature", r.text
    r = await _deliver(stripe_shop, succeeded, "")
    assert r.status_code == 400
    assert (await _payments(stripe_shop, invoice_id))["items"] == []

    # Not our invoice: an unknown one, or this invoice named with another organization.
    unknown = _session(stripe_shop, "00000000-0000-4000-8000-000000000000", session="cs_x")
    other = await _seed(stripe_shop.url, "Beta", {"bob": Role.ADMIN})
    foreign = _session(stripe_shop, invoice_id, session="cs_y", org=other["bob"].org_id)
    for n, obj in enumerate((unknown, foreign)):
        payload = _event(f"evt_foreign_{n}", "checkout.session.completed", obj, now)
        assert await _outcome(stripe_shop, payload) == "ignored"
    assert (await _payments(stripe_shop, invoice_id))["items"] == []

    assert await _outcome(stripe_shop, pending) == "pending"
    assert await _outcome(stripe_shop, succeeded) == "recorded"
    assert await _outcome(stripe_shop, succeeded) == "duplicate"  # replayed
    assert await _outcome(stripe_shop, older) == "duplicate"  # the same session, older
    assert await _outcome(stripe_shop, older) == "duplicate"
    assert await _outcome(stripe_shop, pending) == "duplicate"
    unknown_type = _event("evt_9", "customer.created", {"id": "cus_1"}, now)
    assert await _outcome(stripe_shop, unknown_type) == "ignored"

    listing = await _payments(stripe_shop, invoice_id)
    [payment] = listing["items"]
    assert (payment["amount"], payment["method"], payment["kind"]) == ("139.50", "card", "payment")
    assert payment["reference"] == "pi_cs_test_1" and payment["recorded_by"] is None
    assert listing["status"] == "paid" and listing["balance"]["outstanding"] == "0.00"

    # A refund that names no credit note is kept for a person, not recorded as money.
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 13950,
        "amount_refunded": 2000,
        "currency": "eur",
        "payment_intent": "pi_cs_test_1",
        "refunded": False,
        "metadata": {},
    }
    refund = _event("evt_r1", "charge.refunded", charge, now + 120)
    assert await _outcome(stripe_shop, refund) == "attention"
    assert await _outcome(stripe_shop, refund) == "duplicate"
    assert len((await _payments(stripe_shop, invoice_id))["items"]) == 1

    # The page now says paid.
    page = (await _public(await _link(stripe_shop, invoice_id))).text
    assert _state(page) == "paid"


async def test_concurrent_events_of_one_session_record_once(stripe_shop: Shop) -> None:
    invoice_id = await _issued(stripe_shop)
    now = int(time.time())
    payloads = [
        _event(f"evt_c{n}", "checkout.session.completed", _session(stripe_shop, invoice_id), now)
        for n in range(4)
    ]
    outcomes = await asyncio.gather(*(_outcome(stripe_shop, p) for p in payloads * 2))
    assert sorted(outcomes) == ["duplicate"] * 7 + ["recorded"]
    listing = await _payments(stripe_shop, invoice_id)
    assert len(listing["items"]) == 1 and listing["status"] == "paid"


async def test_a_card_refund_naming_its_credit_note_is_recorded_once(stripe_shop: Shop) -> None:
    from tests.test_payments_api import _through

    invoice_id = await _issued(stripe_shop)
    now = int(time.time())
    paid = _event("evt_p", "checkout.session.completed", _session(stripe_shop, invoice_id), now)
    assert await _outcome(stripe_shop, paid) == "recorded"
    async with api(stripe_shop.server, stripe_shop.bearers["cora"]) as http:
        r = await http.post(f"/api/invoices/{invoice_id}/credit-notes", json={"lines": ["b"]})
    assert r.status_code == 201, r.text
    note = r.json()["id"]
    await _through(stripe_shop, note)  # credits line b: 25.00 + 2.50 VAT = 27.50

    def charge(refunded: int) -> dict[str, Any]:
        return {
            "id": "ch_1",
            "object": "charge",
            "amount": 13950,
            "amount_refunded": refunded,
            "currency": "eur",
            "payment_intent": "pi_cs_test_1",
            "metadata": {"credit_note_id": note},
        }

    newer = _event("evt_r2", "charge.refunded", charge(2750), now + 120)
    older = _event("evt_r1", "charge.refunded", charge(1000), now + 60)
    assert await _outcome(stripe_shop, newer) == "refunded"
    assert await _outcome(stripe_shop, newer) == "duplicate"
    assert await _outcome(stripe_shop, older) == "duplicate"  # already counted in the newer
    listing = await _payments(stripe_shop, invoice_id)
    refunds = [item for item in listing["items"] if item["kind"] == "refund"]
    assert [(r["amount"], r["credit_note_id"], r["method"]) for r in refunds] == [
        ("27.50", note, "card")
    ]
    assert listing["balance"]["paid"] == "112.00" and listing["status"] == "paid"
