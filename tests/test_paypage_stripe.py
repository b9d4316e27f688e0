"""Card payments through Stripe on the public payment page (tests/test_paypage.py has the page
itself and the server): the checkout asks for the amount outstanding; the webhook refuses a bad
signature, ignores other invoices and other events, and records one payment whatever the
replays, concurrent ones included; a refund that names no credit note is left to a person, and
a card refund naming its credit note is recorded once.

Stripe is never reached: the server's STRIPE_API_BASE points the official library at a fake
HTTP server run here, which records what it was sent; webhook calls are signed here with the
library's scheme (`_signed` in tests/test_paypage.py).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from server.auth.permissions import Role
from tests.access_helpers import api
from tests.test_payments_api import Shop, _issued, _pay, _seed
from tests.test_paypage import WEBHOOK_SECRET, _deliver, _link, _public, _shop, _signed, _state

CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_fake"


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
