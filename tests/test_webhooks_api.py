"""Webhooks through a real server and a real receiver: an invoice made through the API reaches
the receiver signed as the Standard Webhooks reference implementation (the `standardwebhooks`
package) verifies; event selection, test events, replay with the same id, secret rotation;
admins only, other organizations' ids 404, and URLs refused by scheme and address."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from server.auth.permissions import Role
from tests.access_helpers import api, server_with, token
from tests.harness import ServerProcess, seed, wait_for
from tests.webhook_receiver import Receiver, receiver

PEOPLE = {"alice": Role.EDITOR, "adam": Role.ADMIN}


async def _arrived(hook: Receiver, count: int) -> None:
    async def enough() -> bool:
        return len(hook.received) >= count

    await wait_for(enough, timeout=15, what=f"{count} webhook requests")


async def test_signed_deliveries_of_real_causes(tmp_path: Path) -> None:
    env = {"WEBHOOKS_ALLOW_PRIVATE": "1"}
    async with receiver() as hook, server_with(tmp_path, PEOPLE, **env) as (server, made):
        org = made["adam"].org_id
        admin = await token(server, made["adam"])
        async with api(server, admin) as http:
            r = await http.post(
                f"/api/orgs/{org}/webhooks",
                json={"url": hook.url, "events": ["invoice.created"], "description": "ERP"},
            )
            assert r.status_code == 201, r.text
            endpoint = r.json()
            secret = endpoint["secret"]
            # whsec_ + base64 of 24 to 64 random bytes (the specification); ours are 32.
            assert secret.startswith("whsec_")
            assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
            base = f"/api/orgs/{org}/webhooks/{endpoint['id']}"
            shown = (await http.get(base)).json()
            assert "secret" not in shown and shown["events"] == ["invoice.created"]
            assert shown["enabled"] and shown["description"] == "ERP"

        async with api(server, await token(server, made["alice"])) as http:
            r = await http.post("/api/invoices", json={})
            assert r.status_code == 201
            invoice_id = r.json()["id"]
            # Not selected: nothing goes for it.
            r = await http.post(
                f"/api/invoices/{invoice_id}/comments",
                json={"anchor": {"path": "invoice.notes"}, "body": "A note"},
            )
            assert r.status_code == 201, r.text
        await _arrived(hook, 1)
        [first] = hook.received
        payload: Any = first.verified(secret)  # raises unless the signature is right
        assert payload["type"] == "invoice.created"
        assert payload["data"]["invoice_id"] == invoice_id
        assert payload["timestamp"].endswith("Z")
        assert first.headers["content-type"] == "application/json"
        assert first.headers["webhook-timestamp"].isdigit()
        assert first.headers["webhook-signature"].startswith("v1,")
        async with api(server, admin) as http:
            listed = (await http.get(f"/api/orgs/{org}/events?type=invoice.created")).json()
            assert first.id == listed["items"][0]["id"]  # the webhook-id is the event's id

            # A test event, then a replay of the first: the same webhook-id again.
            r = await http.post(f"{base}/test")
            assert r.status_code == 202, r.text
            test_id = r.json()["event_id"]
            await _arrived(hook, 2)
            assert hook.received[1].id == test_id
            test_payload: Any = hook.received[1].verified(secret)
            assert test_payload["type"] == "webhook.test"
            r = await http.post(f"{base}/replay", json={"event_id": first.id})
            assert r.status_code == 202, r.text
            await _arrived(hook, 3)
            assert hook.received[2].id == first.id
            assert hook.received[2].body == first.body

            # A rotated secret: the old one no longer verifies, the new one does.
            r = await http.post(f"{base}/rotate-secret")
            new_secret = r.json()["secret"]
            assert new_secret != secret
            await http.post(f"{base}/test")
            await _arrived(hook, 4)
            with pytest.raises(WebhookVerificationError):
                hook.received[3].verified(secret)
            hook.received[3].verified(new_secret)

            log = (await http.get(f"{base}/deliveries")).json()["items"]
            assert len(log) == 4
            assert {(a["status_code"], a["outcome"]) for a in log} == {(200, "succeeded")}
            assert {a["event_type"] for a in log} == {"invoice.created", "webhook.test"}

            # Disabled: no test, no replay; PATCH; DELETE.
            assert (await http.post(f"{base}/disable")).json()["enabled"] is False
            assert (await http.post(f"{base}/test")).status_code == 409
            r = await http.patch(base, json={"events": ["invoice.paid", "comment.created"]})
            assert r.json()["events"] == ["comment.created", "invoice.paid"]
            assert (await http.post(f"{base}/enable")).json()["enabled"] is True
            r = await http.patch(base, json={"events": ["invoice.late"]})
            assert r.status_code == 400, r.text
            assert (await http.delete(base)).status_code == 204
            assert (await http.get(base)).status_code == 404
            audit = (await http.get(f"/api/orgs/{org}/audit")).json()["items"]
            kinds = {e["event"] for e in audit}
            assert {
                "org.webhook_created",
                "org.webhook_tested",
                "org.webhook_replayed",
                "org.webhook_secret_rotated",
                "org.webhook_disabled",
                "org.webhook_enabled",
                "org.webhook_changed",
                "org.webhook_deleted",
            } <= kinds


REFUSED = [
    "ftp://example.com/hook",
    "javascript:alert(1)",
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata: link-local
    "http://224.0.0.1/hook",  # multicast
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",  # loopback inside an IPv4-mapped IPv6 address
    "http://user:pass@93.184.215.14/hook",
    "https://exa mple.com/hook",
    "https://ex\u00e4mple.com/hook",
]


async def test_admins_only_other_tenants_404_and_ssrf_refusals(tmp_path: Path) -> None:
    async with server_with(tmp_path, PEOPLE) as (server, made):
        org = made["adam"].org_id
        admin = await token(server, made["adam"])
        beta = await seed(tmp_path, org="Beta", users={"bea": Role.ADMIN})
        async with api(server, admin) as http:
            for url in REFUSED:
                r = await http.post(
                    f"/api/orgs/{org}/webhooks", json={"url": url, "events": ["invoice.paid"]}
                )
                assert r.status_code == 400, (url, r.text)
            # A public address is accepted (an IP literal: no DNS needed in the test).
            good = {"url": "https://93.184.215.14/hook", "events": ["invoice.paid"]}
            r = await http.post(f"/api/orgs/{org}/webhooks", json=good)
            assert r.status_code == 201, r.text
            endpoint_id = r.json()["id"]
            for bad in ({"url": "https://93.184.215.14/", "events": []}, {"url": "x"}):
                r = await http.post(f"/api/orgs/{org}/webhooks", json=bad)
                assert r.status_code == 400, r.text
        await _refused_to(server, await token(server, made["alice"]), org, endpoint_id, 403)
        await _refused_to(server, await token(server, beta["bea"]), org, endpoint_id, 404)
        # Beta's admin, in Beta's own path, does not find Acme's endpoint either.
        async with api(server, await token(server, beta["bea"])) as http:
            r = await http.get(f"/api/orgs/{beta['bea'].org_id}/webhooks/{endpoint_id}")
            assert r.status_code == 404
            r = await http.post(
                f"/api/orgs/{beta['bea'].org_id}/webhooks/{endpoint_id}/replay",
                json={"event_id": "msg_" + "0" * 32},
            )
            assert r.status_code == 404


async def _refused_to(
    server: ServerProcess, bearer: str, org: str, endpoint_id: str, status: int
) -> None:
    base = f"/api/orgs/{org}/webhooks"
    one = f"{base}/{endpoint_id}"
    async with api(server, bearer) as http:
        for method, path, body in (
            ("GET", base, None),
            ("POST", base, {"url": "https://93.184.215.14/", "events": ["invoice.paid"]}),
            ("GET", one, None),
            ("PATCH", one, {"description": "x"}),
            ("DELETE", one, None),
            ("POST", f"{one}/rotate-secret", None),
            ("POST", f"{one}/disable", None),
            ("POST", f"{one}/test", None),
            ("GET", f"{one}/deliveries", None),
            ("POST", f"{one}/replay", {"event_id": "msg_" + "0" * 32}),
            ("GET", f"/api/orgs/{org}/events", None),
        ):
            r = await http.request(method, path, json=body)
            assert r.status_code == status, (method, path, r.text)
