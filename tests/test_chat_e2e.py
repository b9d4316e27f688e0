"""Slack, Teams and e-mail notifications end to end, through the API of a real server: the
admins' channels (refusals, masked URLs, other tenants' 404s), a submitted invoice reaching
the channels set for approvals and no other, a mention e-mailed in French through a real SMTP
server (aiosmtpd) and not to someone who turned mention e-mails off, a webhook that is gone
switching its channel off and telling the admins; a person's own channels, private to them and
told only what concerns them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy import select

from collab.sync import LogEntry
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices.store import SqlUpdateStore
from server.jobs.models import Job
from tests.access_helpers import api, server_with, token
from tests.chat_receiver import Receiver, receiver
from tests.harness import ServerProcess, db_url, seed, wait_for
from tests.smtp_sink import Sink, smtp_sink

PEOPLE = {
    "alice": Role.EDITOR,
    "abe": Role.APPROVER,
    "adam": Role.ADMIN,
    "fanny": Role.REVIEWER,
    "rita": Role.REVIEWER,
}
PUBLIC = "https://cofacture.example"


def _document() -> bytes:
    """One line, 3 x 45.00 EUR at 20 % VAT: 162.00."""
    doc: Doc[Any] = Doc()
    header = doc.get("invoice", type=Map)
    header["currency"] = "EUR"
    address = {"line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"}
    header["customer"] = Map({"name": "Client & Fils", "address": Map(address)})
    line = {"id": "a", "description": "Audit", "quantity": "3", "unit_price": "45.00"}
    doc.get("lines", type=Array).append(Map({**line, "tax_rate": "20"}))
    return doc.get_update()


@dataclass
class World:
    server: ServerProcess
    data_dir: Path
    bearer: dict[str, str]
    ids: dict[str, str]
    org: str
    other_org: str
    hooks: Receiver
    sink: Sink

    async def call(self, who: str, method: str, path: str, body: Any = None) -> Any:
        async with api(self.server, self.bearer[who]) as http:
            return await http.request(method, path, json=body)

    async def invoice(self) -> str:
        r = await self.call("alice", "POST", "/api/invoices", {})
        invoice_id = str(r.json()["id"])
        engine = create_engine(db_url(self.data_dir))
        store = SqlUpdateStore(engine)
        entry = LogEntry(invoice_id, 1, _document(), self.ids["alice"], time.time())
        await store.write([entry], [])
        await store.aclose()
        await engine.dispose()
        return invoice_id

    async def job_keys(self) -> list[str]:
        engine = create_engine(db_url(self.data_dir))
        try:
            async with sessions(engine)() as db:
                return list(await db.scalars(select(Job.key).where(Job.kind.like("chat.%"))))
        finally:
            await engine.dispose()


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    other = await seed(tmp_path, org="Other", users={"olga": Role.ADMIN})
    with receiver() as hooks, smtp_sink() as (sink, port):
        env = {"SMTP_URL": f"smtp://127.0.0.1:{port}", "CHAT_ALLOW_ANY_HOST": "1"}
        async with server_with(tmp_path, PEOPLE, PUBLIC_URL=PUBLIC, **env) as (server, made):
            made |= other
            bearer = {name: await token(server, made[name]) for name in made}
            ids = {name: a.user_id for name, a in made.items()}
            yield World(
                server,
                tmp_path,
                bearer,
                ids,
                made["adam"].org_id,
                other["olga"].org_id,
                hooks,
                sink,
            )


async def test_channels_get_what_they_chose_and_mentions_are_mailed_in_french(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        base = f"/api/orgs/{w.org}/chat-channels"
        approvals = {
            "provider": "slack",
            "name": "#approvals",
            "url": f"{w.hooks.base}/slack-approvals",
            "kinds": ["approval"],
        }
        # Only admins configure the organization's channels; other tenants see nothing.
        assert (await w.call("alice", "POST", base, approvals)).status_code == 403
        assert (await w.call("alice", "GET", base)).status_code == 403
        assert (await w.call("olga", "GET", base)).status_code == 404
        for bad in (
            {**approvals, "url": "ftp://127.0.0.1/x"},
            {**approvals, "name": "two\nlines"},
            {**approvals, "kinds": ["everything"]},
            {**approvals, "provider": "irc"},
        ):
            assert (await w.call("adam", "POST", base, bad)).status_code == 400, bad
        made = []
        for body in (
            approvals,
            {**approvals, "provider": "teams", "name": "Finance", "url": f"{w.hooks.base}/teams"},
            {
                **approvals,
                "name": "#other",
                "url": f"{w.hooks.base}/slack-other",
                "kinds": ["overdue", "mention"],
            },
        ):
            r = await w.call("adam", "POST", base, body)
            assert r.status_code == 201, r.text
            made.append(r.json())
        # The URL is a secret: shown masked, never whole, in answers and listings.
        assert made[0]["url"] == "http://127.0.0.1/…/vals"
        listed = await w.call("adam", "GET", base)
        assert w.hooks.base not in listed.text and listed.json()["links"] is True
        # Another organization's admin cannot touch them, through either organization.
        channel = made[0]["id"]
        for path in (f"/api/orgs/{w.other_org}/chat-channels/{channel}", f"{base}/{channel}"):
            assert (await w.call("olga", "PATCH", path, {"name": "x"})).status_code == 404
            assert (await w.call("olga", "DELETE", path)).status_code == 404
            assert (await w.call("olga", "POST", path + "/test")).status_code == 404

        # Fanny reads French and wants mentions by e-mail; Rita wants no e-mail at all.
        r = await w.call(
            "fanny",
            "PUT",
            "/api/me/notification-settings",
            {"language": "fr", "email": ["mention"]},
        )
        assert r.status_code == 200 and r.json()["email"] == ["mention"], r.text
        r = await w.call(
            "rita", "PUT", "/api/me/notification-settings", {"language": "en", "email": []}
        )
        assert r.status_code == 200, r.text

        invoice_id = await w.invoice()
        r = await w.call(
            "alice", "POST", f"/api/invoices/{invoice_id}/transitions", {"action": "submit"}
        )
        assert r.status_code == 200, r.text

        async def approvals_told() -> bool:
            return bool(w.hooks.bodies("/slack-approvals") and w.hooks.bodies("/teams"))

        await wait_for(approvals_told, timeout=20, what="the approval posts")
        [posted] = w.hooks.bodies("/slack-approvals")
        assert posted["text"] == "A draft invoice is waiting for approval"
        assert posted["blocks"][-1]["elements"][0]["url"] == f"{PUBLIC}/#/invoices/{invoice_id}"
        [card] = w.hooks.bodies("/teams")
        assert card["attachments"][0]["content"]["actions"][0]["url"].endswith(invoice_id)
        # The channel for overdue invoices and mentions got nothing: no job was even queued.
        keys = await w.job_keys()
        assert not [k for k in keys if k.endswith(made[2]["id"])], keys
        assert w.hooks.bodies("/slack-other") == []

        comment = {
            "anchor": {"path": "invoice.payment_terms"},
            "body": "@fanny @rita les conditions de paiement sont-elles justes ?",
        }
        r = await w.call("abe", "POST", f"/api/invoices/{invoice_id}/comments", comment)
        assert r.status_code == 201, r.text

        async def mailed() -> bool:
            return bool(w.sink.messages) and bool(w.hooks.bodies("/slack-other"))

        await wait_for(mailed, timeout=20, what="the mention e-mail and post")
        [(envelope, message)] = w.sink.messages
        assert envelope == ["fanny@acme.test"]
        assert message["Subject"] == "abe vous a mentionné sur une facture brouillon"
        plain = message.get_body(("plain",))
        assert plain is not None
        text = plain.get_content()
        assert "Bonjour fanny," in text and "Commentaire :" in text
        assert "les conditions de paiement sont-elles justes ?" in text
        assert f"Ouvrir la facture : {PUBLIC}/#/invoices/{invoice_id}" in text
        [mention] = w.hooks.bodies("/slack-other")
        assert mention["text"] == "abe mentioned fanny, rita on a draft invoice"
        keys = await w.job_keys()
        assert "chat-mail:" in "".join(keys) and not [k for k in keys if w.ids["rita"] in k]

        # Slack says the webhook is gone: the next delivery switches the channel off and the
        # admins are told by e-mail; the Teams one, tested by hand, answers 410 likewise.
        w.hooks.answers["/slack-approvals"] = (404, "no_service")
        w.hooks.answers["/teams"] = (410, "Gone")
        r = await w.call("adam", "POST", f"{base}/{made[1]['id']}/test")
        tested = r.json()
        assert tested["delivered"] is False and tested["status"] == 410
        assert (
            tested["channel"]["enabled"] is False and "gone" in tested["channel"]["disabled_reason"]
        )
        second = await w.invoice()
        r = await w.call(
            "alice", "POST", f"/api/invoices/{second}/transitions", {"action": "submit"}
        )
        assert r.status_code == 200, r.text

        async def told_admins() -> bool:
            return any(
                m["Subject"].startswith("Cofacture stopped posting") for _, m in w.sink.messages
            )

        await wait_for(told_admins, timeout=20, what="the admins told of the gone webhook")
        [(envelope, _)] = [(e, m) for e, m in w.sink.messages if "stopped" in m["Subject"]]
        assert envelope == ["adam@acme.test"]
        listed = (await w.call("adam", "GET", base)).json()["items"]
        assert [c["enabled"] for c in listed] == [False, False, True]
        assert len(w.hooks.bodies("/teams")) == 2  # the first approval and the test only

        events = (
            await w.call(
                "adam",
                "GET",
                f"/api/orgs/{w.org}/audit",
            )
        ).json()["items"]
        kinds = {e["event"] for e in events}
        assert {
            "org.chat_channel_added",
            "org.chat_channel_tested",
            "org.chat_channel_disabled",
        } <= kinds


async def test_own_channels_hear_only_what_concerns_their_owner(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        own = "/api/me/chat-channels"
        made = {}
        for who in ("fanny", "rita"):
            body = {
                "provider": "slack",
                "name": f"{who}'s",
                "url": f"{w.hooks.base}/own-{who}",
                "kinds": ["mention"],
            }
            r = await w.call(who, "POST", own, body)
            assert r.status_code == 201, r.text
            assert r.json()["url"] == f"http://127.0.0.1/…/{who[-4:]}"  # masked
            made[who] = r.json()["id"]
        # Nobody else sees or touches them: not another member, not an admin through the
        # organization's channels, not another tenant.
        assert (await w.call("alice", "GET", own)).json()["items"] == []
        listed = await w.call("fanny", "GET", own)
        assert [c["id"] for c in listed.json()["items"]] == [made["fanny"]]
        assert w.hooks.base not in listed.text
        fannys = f"{own}/{made['fanny']}"
        for who, path in (
            ("rita", fannys),
            ("adam", f"/api/orgs/{w.org}/chat-channels/{made['fanny']}"),
            ("olga", fannys),
        ):
            assert (await w.call(who, "PATCH", path, {"name": "x"})).status_code == 404, who
            assert (await w.call(who, "POST", path + "/test")).status_code == 404, who
            assert (await w.call(who, "DELETE", path)).status_code == 404, who

        # A comment that mentions fanny alone reaches her channel, said to her, and not rita's.
        invoice_id = await w.invoice()
        comment = {"anchor": {"path": "invoice.notes"}, "body": "@fanny is the rate right?"}
        r = await w.call("abe", "POST", f"/api/invoices/{invoice_id}/comments", comment)
        assert r.status_code == 201, r.text

        async def told() -> bool:
            return bool(w.hooks.bodies("/own-fanny"))

        await wait_for(told, timeout=20, what="the mention on fanny's own channel")
        [posted] = w.hooks.bodies("/own-fanny")
        assert posted["text"] == "abe mentioned you on a draft invoice"
        keys = await w.job_keys()
        assert not [k for k in keys if k.endswith(made["rita"])], keys
        assert w.hooks.bodies("/own-rita") == []
        # Her own channel, hers to remove.
        assert (await w.call("fanny", "DELETE", fannys)).status_code == 204
        assert (await w.call("fanny", "GET", own)).json()["items"] == []
