"""An invoice's state across processes (issue 15): a transition made through one process turns
the invoice read-only on the others, through Redis at once, and through the database when the
message is lost (Redis away): each process re-reads its rooms' states periodically and once a
room's channel is live (server/invoices/rooms.py, `recheck`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from collab.sync.protocol import NoticeMessage, decode_message
from tests.access_helpers import edit
from tests.harness import wait_for
from tests.processes import Processes, RedisServer, heard_processes
from tests.test_workflow_api import _valid_update

SUBMITTED = "the invoice is submitted: only drafts can be edited"


async def _refusal(ws: ClientConnection, timeout: float) -> str | None:
    """The reason of the next refused edit, None if none comes within `timeout`."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frame = await asyncio.wait_for(ws.recv(), remaining)
        except TimeoutError:
            return None
        message = decode_message(frame if isinstance(frame, bytes) else frame.encode())
        if isinstance(message, NoticeMessage) and message.body["type"] == "update_refused":
            return str(message.body["reason"])
    return None


async def _refused_within(ws: ClientConnection, seconds: float) -> float:
    """Edit every 0.3 s until one is refused as the submitted invoice's; how long that took."""
    start = time.monotonic()
    attempt = 0
    while time.monotonic() - start < seconds:
        attempt += 1
        await edit(ws, "payment_terms", f"after the submit {attempt}")
        reason = await _refusal(ws, 0.3)
        if reason is not None:
            assert reason == SUBMITTED
            return time.monotonic() - start
    raise AssertionError(f"edits still accepted {seconds} s after the submit")


async def _submit(procs: Processes, server: int, invoice_id: str) -> None:
    async with procs.api(server, "alice") as http:
        r = await http.post(f"/api/invoices/{invoice_id}/transitions", json={"action": "submit"})
        assert r.status_code == 200, r.text


@asynccontextmanager
async def _bob_editing_on_process_1(
    tmp_path: Path,
) -> AsyncIterator[tuple[RedisServer, Processes, str, ClientConnection]]:
    """Two processes on the test's Redis; bob's socket on process 1 edits a draft freely."""
    async with heard_processes(tmp_path) as (redis, procs):
        invoice_id = await procs.new_invoice(_valid_update())
        async with connect(procs.ws_url(1, invoice_id, "bob")) as ws:
            await edit(ws, "payment_terms", "before")
            assert await _refusal(ws, 0.3) is None  # a draft: accepted
            yield redis, procs, invoice_id, ws


async def test_a_submit_on_one_process_makes_the_invoice_read_only_on_the_other(
    tmp_path: Path,
) -> None:
    async with _bob_editing_on_process_1(tmp_path) as (_, procs, invoice_id, ws):
        await _submit(procs, 0, invoice_id)
        # Through Redis: well before the periodic re-read (every 5 s).
        assert await _refused_within(ws, 3.0) < 3.0


async def test_a_submit_whose_message_is_lost_still_reaches_the_other_process(
    tmp_path: Path,
) -> None:
    async with _bob_editing_on_process_1(tmp_path) as (redis, procs, invoice_id, ws):
        await redis.stop()
        await procs.cut_off(0)
        await procs.cut_off(1)
        await _submit(procs, 0, invoice_id)  # its message to process 1 is lost
        # The database carries it: process 1 re-reads its rooms' states every 5 s.
        assert await _refused_within(ws, 15.0) < 15.0


async def _terms(procs: Processes, server: int, invoice_id: str) -> object:
    """The payment terms of the invoice as process `server` holds it (its live room)."""
    async with procs.api(server, "bob") as http:
        r = await http.get(f"/api/invoices/{invoice_id}")
        assert r.status_code == 200, r.text
        return r.json()["invoice"].get("payment_terms")


async def test_an_edit_another_process_let_in_late_is_undone_by_the_one_that_froze(
    tmp_path: Path,
) -> None:
    """Redis is away: process 1 does not hear of a submit made on process 0, and accepts bob's
    edit. When Redis returns, the edit reaches process 0, which undoes it: the invoice reads
    as it was submitted on both processes (server/workflow/pinning.py)."""
    async with heard_processes(tmp_path) as (redis, procs):
        await redis.stop()
        await procs.cut_off(0)
        await procs.cut_off(1)
        for _attempt in range(3):
            invoice_id = await procs.new_invoice(_valid_update())
            async with connect(procs.ws_url(1, invoice_id, "bob")) as ws:
                await edit(ws, "payment_terms", "as submitted")
                assert await _refusal(ws, 0.3) is None
                await _submit(procs, 0, invoice_id)  # process 1 is not told
                await edit(ws, "payment_terms", "late")
                if await _refusal(ws, 0.3) is None:
                    break
            # Process 1 re-read the state (every 5 s) just before the edit: not the case
            # under test; again with another invoice.
        else:
            raise AssertionError("process 1 refused the late edit three times")
        assert await _terms(procs, 1, invoice_id) == "late"
        assert await _terms(procs, 0, invoice_id) == "as submitted"

        await redis.start()  # the processes reconnect and reconcile: the late edit spreads

        async def undone() -> bool:
            terms = [await _terms(procs, server, invoice_id) for server in (0, 1)]
            return terms == ["as submitted", "as submitted"]

        await wait_for(undone, timeout=30, what="the late edit undone on both processes")
        async with procs.api(1, "bob") as http:
            history = (await http.get(f"/api/invoices/{invoice_id}/history")).json()
        changes = [e for e in history["items"] if e["path"] == "invoice.payment_terms"]
        # Newest first: the undo (by the server), the late edit, then the edit before.
        assert [(e["after"], e["author"]) for e in changes[:2]] == [
            ("as submitted", None),
            ("late", {"id": procs.accounts["bob"].user_id, "name": changes[1]["author"]["name"]}),
        ]
