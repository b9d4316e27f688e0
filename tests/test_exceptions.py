"""Exceptions on a real server: routed to the category's expert (or the admins), discussed in
their own thread, resolved by the expert or an admin, counted in the log; who may do what;
another organization's ids are 404; every action is in the audit log; what reminders and the
board ask (`dispute_open`, `open_by_invoice`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.exceptions import service as exceptions
from tests.access_helpers import api, token
from tests.conftest import Running
from tests.harness import db_url, new_invoice, seed
from tests.test_workflow_api import _people

CATEGORIES = [
    "dispute",
    "refund_request",
    "cancellation_request",
    "pricing_error",
    "missing_po",
    "other",
]


async def call(
    running: Running, bearer: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    async with api(running.server, bearer) as http:
        return await http.request(method, path, json=body)


async def ok(running: Running, bearer: str, method: str, path: str, body: Any = None) -> Any:
    r = await call(running, bearer, method, path, body)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def dispute_state(running: Running, invoice_id: str, org_id: str) -> tuple[bool, Any]:
    engine = create_engine(db_url(running.server.data_dir))
    async with sessions(engine)() as db:
        found = await exceptions.dispute_open(db, invoice_id)
        cards = await exceptions.open_by_invoice(db, org_id)
    await engine.dispose()
    return found, cards


async def test_an_exception_from_opening_to_resolution(running: Running) -> None:
    people = await _people(running)
    accounts = running.accounts
    org = accounts["alice"].org_id
    invoice_id = await new_invoice(running.server.data_dir, accounts["alice"])
    experts = f"/api/orgs/{org}/exception-experts"

    # Routing: only admins see and set it; bob (an editor) is the disputes' expert; a viewer
    # cannot be one.
    assert await ok(running, people["adam"], "GET", experts) == dict.fromkeys(CATEGORIES)
    assert (await call(running, people["alice"], "GET", experts)).status_code == 403
    bob = accounts["bob"].user_id
    r = await call(running, people["alice"], "PUT", experts, {"dispute": bob})
    assert r.status_code == 403
    r = await call(running, people["adam"], "PUT", experts, {"dispute": accounts["vera"].user_id})
    assert r.status_code == 400, r.text
    saved = await ok(running, people["adam"], "PUT", experts, {"dispute": bob})
    assert saved == {**dict.fromkeys(CATEGORIES), "dispute": bob}

    # Opening: editors and above; a viewer is refused; a bad category is a 400.
    path = f"/api/invoices/{invoice_id}/exceptions"
    body = {"category": "dispute", "note": "The customer contests line 2"}
    assert (await call(running, people["vera"], "POST", path, body)).status_code == 403
    bad = {"category": "grumble", "note": "x"}
    assert (await call(running, people["alice"], "POST", path, bad)).status_code == 400
    dispute = await ok(running, people["alice"], "POST", path, body)
    assert dispute["category"] == "dispute" and dispute["status"] == "open"
    assert dispute["expert"] == {"id": bob, "name": "bob"} and dispute["routed_to"] == "expert"
    assert dispute["opened_by"]["name"] == "alice" and dispute["invoice"]["id"] == invoice_id
    pricing = await ok(
        running, people["abe"], "POST", path, {"category": "pricing_error", "note": "10 % off?"}
    )
    assert pricing["expert"] is None and pricing["routed_to"] == "admins"  # no expert set
    listed = await ok(running, people["vera"], "GET", path)  # a viewer reads them
    assert [e["id"] for e in listed["items"]] == [dispute["id"], pricing["id"]]
    assert await dispute_state(running, invoice_id, org) == (
        True,
        {
            invoice_id: [
                {"id": dispute["id"], "category": "dispute"},
                {"id": pricing["id"], "category": "pricing_error"},
            ]
        },
    )

    # Its own thread: whoever may comment writes, a viewer reads.
    thread = f"/api/exceptions/{dispute['id']}/comments"
    said = await ok(running, people["bob"], "POST", thread, {"body": "Calling them today"})
    assert said["author"]["name"] == "bob" and said["body"] == "Calling them today"
    assert (await call(running, people["vera"], "POST", thread, {"body": "hi"})).status_code == 403
    assert [c["body"] for c in (await ok(running, people["vera"], "GET", thread))["items"]] == [
        "Calling them today"
    ]
    # The invoice's comment threads are not touched: the exception's thread is its own.
    threads = await ok(running, people["alice"], "GET", f"/api/invoices/{invoice_id}/comments")
    assert threads["threads"] == [] and threads["open"] == 0

    # Resolving: the expert (bob), or an admin; not the one who opened it; not twice.
    resolve = f"/api/exceptions/{dispute['id']}/resolve"
    done = {"resolution": "Credit note agreed"}
    assert (await call(running, people["alice"], "POST", resolve, done)).status_code == 403
    assert (await call(running, people["abe"], "POST", resolve, done)).status_code == 403
    resolved = await ok(running, people["bob"], "POST", resolve, done)
    assert resolved["status"] == "resolved" and resolved["resolution"] == "Credit note agreed"
    assert resolved["resolved_by"] == {"id": bob, "name": "bob"}
    assert (await call(running, people["bob"], "POST", resolve, done)).status_code == 409
    resolve_pricing = f"/api/exceptions/{pricing['id']}/resolve"
    assert (await call(running, people["bob"], "POST", resolve_pricing, done)).status_code == 403
    await ok(running, people["adam"], "POST", resolve_pricing, {"resolution": "List price"})
    assert await dispute_state(running, invoice_id, org) == (False, {})  # reminders resume

    # The log: both, newest first, counted per category per month.
    log = await ok(running, people["vera"], "GET", f"/api/orgs/{org}/exceptions")
    assert [e["id"] for e in log["items"]] == [pricing["id"], dispute["id"]]
    month = datetime.now(UTC).strftime("%Y-%m")
    counts = {**dict.fromkeys(CATEGORIES, 0), "dispute": 1, "pricing_error": 1}
    assert log["months"] == [{"month": month, "counts": counts, "total": 2}]
    assert log["totals"] == counts and log["truncated"] is False
    only = await ok(running, people["vera"], "GET", f"/api/orgs/{org}/exceptions?category=dispute")
    assert [e["id"] for e in only["items"]] == [dispute["id"]]
    assert only["totals"]["pricing_error"] == 0
    still_open = f"/api/orgs/{org}/exceptions?status=open"
    assert (await ok(running, people["vera"], "GET", still_open))["items"] == []
    long_ago = f"/api/orgs/{org}/exceptions?from=2000-01-01&to=2000-12-31"
    assert (await ok(running, people["vera"], "GET", long_ago))["months"] == []
    # Both ends of the period are included: a period of today alone holds both.
    today = datetime.now(UTC).date().isoformat()
    one_day = f"/api/orgs/{org}/exceptions?from={today}&to={today}"
    assert len((await ok(running, people["vera"], "GET", one_day))["items"]) == 2

    # Every action is audited.
    audit = await ok(running, people["adam"], "GET", f"/api/orgs/{org}/audit?limit=100")
    events = [e["event"] for e in audit["items"]]
    assert events.count("invoice.exception_opened") == 2
    assert events.count("invoice.exception_resolved") == 2
    assert events.count("invoice.exception_commented") == 1
    assert events.count("org.exception_experts_changed") == 1  # the refused PUTs record none


async def test_another_organizations_exceptions_are_404(running: Running) -> None:
    people = await _people(running)
    accounts = running.accounts
    org = accounts["alice"].org_id
    invoice_id = await new_invoice(running.server.data_dir, accounts["alice"])
    made = await ok(
        running,
        people["alice"],
        "POST",
        f"/api/invoices/{invoice_id}/exceptions",
        {"category": "missing_po", "note": "No PO number yet"},
    )
    # An expert who lost the right to handle exceptions is skipped: the admins get it.
    bob = accounts["bob"].user_id
    await ok(running, people["adam"], "PUT", f"/api/orgs/{org}/exception-experts", {"other": bob})
    await ok(running, people["adam"], "PATCH", f"/api/orgs/{org}/members/{bob}", {"role": "viewer"})
    routed = await ok(
        running,
        people["alice"],
        "POST",
        f"/api/invoices/{invoice_id}/exceptions",
        {"category": "other", "note": "Who takes this?"},
    )
    assert routed["expert"] is None and routed["routed_to"] == "admins"
    others = await seed(running.server.data_dir, org="Other", users={"olga": Role.ADMIN})
    olga = await token(running.server, others["olga"])
    for method, path, body in (
        ("GET", f"/api/invoices/{invoice_id}/exceptions", None),
        ("POST", f"/api/invoices/{invoice_id}/exceptions", {"category": "other", "note": "x"}),
        ("POST", f"/api/exceptions/{made['id']}/resolve", {"resolution": "x"}),
        ("POST", f"/api/exceptions/{made['id']}/comments", {"body": "x"}),
        ("GET", f"/api/exceptions/{made['id']}/comments", None),
        ("GET", f"/api/orgs/{org}/exceptions", None),
        ("GET", f"/api/orgs/{org}/exception-experts", None),
        ("PUT", f"/api/orgs/{org}/exception-experts", {}),
        ("GET", "/api/exceptions/not-an-id/comments", None),
    ):
        r = await call(running, olga, method, path, body)
        assert r.status_code == 404, (method, path, r.text)
    # Her own organization's log knows nothing of Acme's.
    log = await ok(running, olga, "GET", f"/api/orgs/{others['olga'].org_id}/exceptions")
    assert log["items"] == [] and log["months"] == []
