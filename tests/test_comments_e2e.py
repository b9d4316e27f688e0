"""Comments end to end: a real server, real Yjs clients, REST by role and live notices."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from pycrdt import Array, Doc
from sqlalchemy import update
from websockets.asyncio.client import connect

from collab.sync.protocol import (
    SyncMessage,
    SyncType,
    decode_message,
    encode_sync_step1,
    encode_update,
)
from server.auth.permissions import Role
from server.core.db import create_engine, sessions
from server.invoices.models import Invoice
from tests.access_helpers import api, token, ws_url
from tests.conftest import Running
from tests.harness import ROOT, YjsClients, new_invoice, seed, wait_for

DESCRIPTION = "Consulting for the spring audit"


async def _yjs_positions(*requests: dict[str, Any]) -> list[dict[str, Any]]:
    """Ask the real `yjs` package (tests/js/comments_client.mjs) for relative positions."""
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(ROOT / "tests" / "js" / "comments_client.mjs"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    lines = "".join(json.dumps(r) + "\n" for r in requests).encode()
    out, _ = await asyncio.wait_for(proc.communicate(lines), 10)
    answers = [json.loads(line) for line in out.decode().splitlines()]
    assert all(a["ok"] for a in answers), answers
    return [a["result"] for a in answers]


async def _delete_line(url: str, index: int) -> None:
    """A raw protocol client: sync, delete one line, send the update."""
    async with connect(url) as ws:
        doc: Doc[Any] = Doc()
        await ws.send(encode_sync_step1(doc.get_state()))
        deadline = time.monotonic() + 2
        while True:
            frame = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
            message = decode_message(frame if isinstance(frame, bytes) else frame.encode())
            if isinstance(message, SyncMessage) and message.kind is SyncType.STEP2:
                doc.apply_update(message.payload)
                break
        before = doc.get_state()
        del doc.get("lines", type=Array)[index]
        await ws.send(encode_update(doc.get_update(before)))


def _comment_notices(status: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in status["notices"] if n.get("type") == "comment"]


async def test_comments_by_role_mentions_and_notifications(running: Running) -> None:
    server = running.server
    acme = {**running.accounts, **await seed(server.data_dir, users={"rita": Role.REVIEWER})}
    beta = await seed(server.data_dir, org="Beta", users={"bea": Role.ADMIN})
    invoice_id = await new_invoice(server.data_dir, acme["alice"])
    other_invoice = await new_invoice(server.data_dir, acme["alice"])
    tokens = {name: await token(server, acme[name]) for name in ("alice", "bob", "rita", "vera")}
    tokens["bea"] = await token(server, beta["bea"])
    http = {name: api(server, bearer) for name, bearer in tokens.items()}
    base = f"/api/invoices/{invoice_id}/comments"
    try:
        # A reviewer starts a thread on a field and mentions an editor.
        r = await http["rita"].post(
            base, json={"anchor": {"path": "invoice.due_date"}, "body": "Is this right, @bob?"}
        )
        assert r.status_code == 201, r.text
        thread = r.json()
        thread_id, first = thread["id"], thread["comments"][0]
        assert thread["status"] == "open" and thread["orphaned"] is False
        assert thread["anchor"] == {"path": "invoice.due_date"}
        assert thread["created_by"] == {"id": acme["rita"].user_id, "name": "rita"}
        assert first["mentions"] == [
            {"id": acme["bob"].user_id, "name": "bob", "email": "bob@acme.test"}
        ]
        bob_inbox = (await http["bob"].get("/api/notifications")).json()
        assert bob_inbox["unread"] == 1
        [note] = bob_inbox["items"]
        assert (note["kind"], note["thread_id"], note["comment_id"]) == (
            "mention",
            thread_id,
            first["id"],
        )
        assert note["actor"]["name"] == "rita" and note["excerpt"] == "Is this right, @bob?"
        assert (await http["rita"].get("/api/notifications")).json()["unread"] == 0
        r = await http["vera"].get(f"/api/orgs/{acme['vera'].org_id}/mentionable")
        handles = {m["name"]: m["handle"] for m in r.json()["items"]}
        assert handles == {"alice": "alice", "bob": "bob", "rita": "rita", "vera": "vera"}
        r = await http["bea"].get(f"/api/orgs/{acme['vera'].org_id}/mentionable")
        assert r.status_code == 404

        # A viewer reads but does not write.
        listed = (await http["vera"].get(base)).json()
        assert [t["id"] for t in listed["threads"]] == [thread_id] and listed["open"] == 1
        for method, path, body in (
            ("POST", base, {"anchor": {"path": "invoice.due_date"}, "body": "hi"}),
            ("POST", f"{base}/{thread_id}/comments", {"body": "hi"}),
            ("POST", f"{base}/{thread_id}/resolve", None),
        ):
            r = await http["vera"].request(method, path, json=body)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json() == {"error": "a viewer can read comments but not write them"}

        # Another tenant's admin gets the same 404 everywhere, and Acme's ids mean nothing.
        for method, path, body in (
            ("GET", base, None),
            ("POST", base, {"anchor": {"path": "invoice.due_date"}, "body": "hi"}),
            ("GET", f"{base}/{thread_id}", None),
            ("POST", f"{base}/{thread_id}/comments", {"body": "hi"}),
            ("PATCH", f"{base}/{thread_id}/comments/{first['id']}", {"body": "x"}),
            ("DELETE", f"{base}/{thread_id}/comments/{first['id']}", None),
            ("POST", f"{base}/{thread_id}/resolve", None),
            ("POST", f"/api/notifications/{note['id']}/read", None),
        ):
            r = await http["bea"].request(method, path, json=body)
            assert r.status_code == 404, (method, path, r.text)
        # A thread id under another invoice of the same organization is unknown there.
        r = await http["rita"].get(f"/api/invoices/{other_invoice}/comments/{thread_id}")
        assert r.status_code == 404 and r.json() == {"error": "no such comment thread"}

        # Clear 400s.
        bad: list[dict[str, Any]] = [
            {"anchor": {"path": "invoice.colour"}, "body": "x"},
            {"anchor": {"path": "lines.nope"}, "body": "x"},  # no such line in the document
            {"anchor": {"path": "invoice.notes", "start": "%%", "end": "AA=="}, "body": "x"},
            {"anchor": {"path": "invoice.due_date"}, "body": "   "},
            {"anchor": {"path": "invoice.due_date"}, "body": "x", "extra": 1},
            {"body": "x"},
        ]
        for body in bad:
            r = await http["rita"].post(base, json=body)
            assert r.status_code == 400 and r.json()["error"], (body, r.text)
        # A body the model refuses names the field; the message is the first detail's.
        r = await http["rita"].post(base, json={"body": "x"})
        assert r.status_code == 400 and r.json() == {
            "error": "`anchor` is required",
            "details": [{"path": "anchor", "message": "`anchor` is required"}],
        }
        r = await http["rita"].post(f"{base}/{thread_id}/comments", json={"body": " "})
        assert r.status_code == 400 and r.json()["details"][0]["path"] == "body"

        # Replies with mentions; only a member of the invoice's organization is resolved.
        r = await http["alice"].post(
            f"{base}/{thread_id}/comments",
            json={"body": "@rita it is; not @bea@beta.test nor @nobody"},
        )
        assert r.status_code == 201, r.text
        reply = r.json()["comments"][-1]
        assert [m["id"] for m in reply["mentions"]] == [acme["rita"].user_id]
        assert (await http["bea"].get("/api/notifications")).json()["unread"] == 0
        assert (await http["rita"].get("/api/notifications")).json()["unread"] == 1

        # Only its author edits or deletes a comment; an edit notifies newly mentioned people.
        r = await http["bob"].patch(
            f"{base}/{thread_id}/comments/{reply['id']}", json={"body": "x"}
        )
        assert r.status_code == 403
        r = await http["alice"].patch(
            f"{base}/{thread_id}/comments/{reply['id']}", json={"body": "@rita yes. @vera FYI"}
        )
        edited = r.json()["comments"][-1]
        assert edited["body"] == "@rita yes. @vera FYI" and edited["edited_at"]
        assert (await http["rita"].get("/api/notifications")).json()["unread"] == 1  # not twice
        assert (await http["vera"].get("/api/notifications")).json()["unread"] == 1
        r = await http["alice"].delete(f"{base}/{thread_id}/comments/{reply['id']}")
        deleted = r.json()["comments"][-1]
        assert deleted["deleted"] is True and deleted["body"] is None
        assert deleted["mentions"] == [] and deleted["author"]["id"] == acme["alice"].user_id
        r = await http["alice"].patch(
            f"{base}/{thread_id}/comments/{reply['id']}", json={"body": "x"}
        )
        assert r.status_code == 409
        vera_note = (await http["vera"].get("/api/notifications")).json()["items"][0]
        assert vera_note["excerpt"] is None  # the deleted text is gone from notifications too

        # Any member who may comment resolves and reopens; illegal moves are 409.
        r = await http["bob"].post(f"{base}/{thread_id}/resolve")
        assert r.json()["status"] == "resolved"
        assert r.json()["resolved_by"] == {"id": acme["bob"].user_id, "name": "bob"}
        assert (await http["rita"].post(f"{base}/{thread_id}/resolve")).status_code == 409
        assert (await http["vera"].get(base, params={"status": "open"})).json()["threads"] == []
        r = await http["rita"].post(f"{base}/{thread_id}/reopen")
        assert r.json()["status"] == "open" and r.json()["resolved_by"] is None

        # Notifications: one read, then all.
        r = await http["bob"].post(f"/api/notifications/{note['id']}/read")
        assert r.status_code == 200 and r.json()["read_at"]
        assert (await http["bob"].get("/api/notifications")).json()["unread"] == 0
        await http["rita"].post(f"{base}/{thread_id}/comments", json={"body": "@bob @bob again"})
        bob_inbox = (await http["bob"].get("/api/notifications", params={"unread": "true"})).json()
        assert bob_inbox["unread"] == 1 and len(bob_inbox["items"]) == 1
        assert (await http["bob"].post("/api/notifications/read-all")).json() == {"unread": 0}
        for params in ({"limit": "0"}, {"limit": "201"}, {"unread": "maybe"}):
            r = await http["bob"].get("/api/notifications", params=params)
            assert r.status_code == 400 and r.json()["details"], (params, r.text)
        r = await http["bob"].get(base, params={"status": "closed"})
        assert r.status_code == 400 and r.json()["details"][0]["path"] == "status"

        # Comments remain open after the invoice is issued.
        engine = create_engine(f"sqlite+aiosqlite:///{server.data_dir / 'cofacture.db'}")
        async with sessions(engine).begin() as db:
            await db.execute(
                update(Invoice).where(Invoice.id == invoice_id).values(status="issued")
            )
        await engine.dispose()
        r = await http["rita"].post(
            base, json={"anchor": {"path": "invoice.customer.name"}, "body": "After issue"}
        )
        assert r.status_code == 201, r.text
        assert len((await http["vera"].get(base)).json()["threads"]) == 2
    finally:
        for client in http.values():
            await client.aclose()


async def test_live_notices_anchors_that_follow_edits_and_deleted_lines(
    running: Running, yjs: YjsClients
) -> None:
    server = running.server
    acme = {**running.accounts, **await seed(server.data_dir, users={"rita": Role.REVIEWER})}
    invoice_id = await new_invoice(server.data_dir, acme["alice"])
    alice, vera = await token(server, acme["alice"]), await token(server, acme["vera"])
    await yjs.call("open", name="a", url=server.ws, room=invoice_id, token=alice)
    await yjs.call("open", name="v", url=server.ws, room=invoice_id, token=vera)
    for name in ("a", "v"):
        await yjs.synced(name)
    await yjs.call("pushLine", name="a", line={"id": "l1", "description": DESCRIPTION})
    await yjs.call("pushLine", name="a", line={"id": "l2", "description": "Travel"})
    path = "lines.l1.description"

    async def v_has_both_lines() -> bool:
        return len((await yjs.state("v"))["json"]["lines"]) == 2

    await wait_for(v_has_both_lines, what="the lines at the viewer")

    # The range is made by the real yjs package from the client's document, as a browser does.
    update = base64.b64encode((await yjs.state("a"))["update"]).decode()
    start = DESCRIPTION.index("spring")
    [positions] = await _yjs_positions(
        {"cmd": "anchor", "update": update, "path": path, "start": start, "end": start + 12}
    )
    anchor = {"path": path, **positions, "quote": "spring audit"}
    async with api(server, await token(server, acme["rita"])) as rita:
        base = f"/api/invoices/{invoice_id}/comments"
        r = await rita.post(base, json={"anchor": anchor, "body": "Which audit?"})
        assert r.status_code == 201, r.text
        ranged = r.json()
        assert ranged["anchor"] == anchor
        r = await rita.post(base, json={"anchor": {"path": "lines.l2"}, "body": "Receipts?"})
        on_line = r.json()

        async def everyone_told() -> bool:
            for name in ("a", "v"):
                notices = _comment_notices(await yjs.call("status", name=name))
                assert [(n["event"], n["thread"]["id"]) for n in notices] == [
                    ("created", ranged["id"]),
                    ("created", on_line["id"]),
                ], name
                assert notices[0]["thread"] == ranged  # the thread exactly as REST returns it
            return True

        await wait_for(everyone_told, what="the created notices at both clients")

        # Text typed before the anchor: the stored positions still cover the same words.
        await yjs.call("insertText", name="a", line=0, index=0, text="Urgent: ")

        async def viewer_has_edit() -> str:
            text: str = (await yjs.state("v"))["json"]["lines"][0]["description"]
            return text if text.startswith("Urgent: ") else ""

        text = await wait_for(viewer_has_edit, what="the edit at the viewer")
        listed = (await rita.get(base)).json()["threads"]
        stored = listed[0]["anchor"]
        update = base64.b64encode((await yjs.state("v"))["update"]).decode()
        found = await _yjs_positions(
            {"cmd": "resolve", "update": update, "path": path, "pos": stored["start"]},
            {"cmd": "resolve", "update": update, "path": path, "pos": stored["end"]},
        )
        assert found[0]["index"] == start + len("Urgent: ")
        assert text[found[0]["index"] : found[1]["index"]] == "spring audit"

        # A deleted line's thread stays readable, marked orphaned; the other one is not.
        await _delete_line(ws_url(server, invoice_id, alice), 1)

        async def orphaned() -> dict[str, bool]:
            threads = (await rita.get(base)).json()["threads"]
            marks = {t["id"]: t["orphaned"] for t in threads}
            assert marks == {ranged["id"]: False, on_line["id"]: True}
            return marks

        await wait_for(orphaned, what="the thread on the deleted line marked orphaned")
        r = await rita.post(f"{base}/{on_line['id']}/comments", json={"body": "Line gone"})
        assert r.status_code == 201 and r.json()["orphaned"] is True
        assert [c["body"] for c in r.json()["comments"]] == ["Receipts?", "Line gone"]
        comment_id = r.json()["comments"][-1]["id"]
        await rita.patch(f"{base}/{on_line['id']}/comments/{comment_id}", json={"body": "Gone"})
        await rita.delete(f"{base}/{on_line['id']}/comments/{comment_id}")
        await rita.post(f"{base}/{on_line['id']}/resolve")
        await rita.post(f"{base}/{on_line['id']}/reopen")

    async def every_event_delivered() -> bool:
        notices = _comment_notices(await yjs.call("status", name="v"))
        assert [n["event"] for n in notices] == [
            "created",
            "created",
            "replied",
            "edited",
            "deleted",
            "resolved",
            "reopened",
        ]
        last = notices[-1]["thread"]
        assert last["orphaned"] is True and last["status"] == "open"
        assert last["comments"][-1]["deleted"] is True
        return True

    await wait_for(every_event_delivered, what="every event at the viewer")
