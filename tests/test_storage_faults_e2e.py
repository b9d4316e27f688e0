"""Storage faults made for real (issue 10, defect 8): a full disk (a small tmpfs), a database
file deleted while running, a database that is not the one the server was using. Real server
process, real Yjs clients."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.permissions import Role
from tests.conftest import Running, server_with
from tests.harness import ServerProcess, YjsClients, new_invoice, stored_document, wait_for


@contextlib.contextmanager
def small_disk(path: Path, size: str = "8m") -> Iterator[Path]:
    """A real filesystem of `size` at `path` (tmpfs), so that it can really fill up."""
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> Path:
    """Fill the filesystem until writing fails with ENOSPC; return the filler to delete."""
    filler = disk / "filler"
    with open(filler, "wb") as out:
        chunk = b"\0" * 65536
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


async def _health(server: ServerProcess, path: str = "/api/health") -> httpx.Response:
    async with httpx.AsyncClient(timeout=30.0) as client:
        return await client.get(f"{server.http}{path}")


async def _notices(yjs: YjsClients, name: str, kind: str) -> list[dict[str, Any]]:
    status = await yjs.call("status", name=name)
    return [n for n in status["notices"] if n.get("type") == kind]


@contextlib.asynccontextmanager
async def _on_small_disk(tmp_path: Path) -> AsyncIterator[tuple[Running, Path]]:
    with small_disk(tmp_path / "disk") as disk:
        async with server_with(disk, {"alice": Role.EDITOR, "bob": Role.EDITOR}) as running:
            yield running, disk


async def _open(yjs: YjsClients, running: Running, invoice_id: str, *names: str) -> None:
    token = await running.server.login(running.accounts["alice"])
    for name in names:
        await yjs.call("open", name=name, url=running.server.ws, room=invoice_id, token=token)
        await yjs.synced(name)


async def _seen_by(yjs: YjsClients, name: str, key: str) -> object:
    return (await yjs.call("state", name=name))["json"]["invoice"].get(key)


async def test_a_full_disk_refuses_edits_with_a_notice_degrades_health_and_recovers(
    tmp_path: Path, yjs: YjsClients
) -> None:
    async with _on_small_disk(tmp_path) as (running, disk):
        invoice_id = await new_invoice(disk, running.accounts["alice"])
        await _open(yjs, running, invoice_id, "alice", "bob")
        await yjs.call("set", name="alice", key="notes", value="before")
        await wait_for(lambda: _eq(_seen_by(yjs, "bob", "notes"), "before"), what="fan-out")
        filler = fill(disk)
        attempt = 0

        async def refused() -> bool:
            nonlocal attempt
            attempt += 1  # SQLite's WAL may hold free pages: edit until a write really fails
            await yjs.call("set", name="alice", key="notes", value=f"full-{attempt}")
            return bool(await _notices(yjs, "alice", "update_refused"))

        await wait_for(refused, timeout=20, what="an edit refused on a full disk")
        assert (await _notices(yjs, "bob", "storage"))[-1]["status"] == "unavailable"
        health = await _health(running.server)
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "degraded" and health.json()["storage"] == "unavailable"
        # A load balancer stops sending this process new connections meanwhile.
        ready = await _health(running.server, "/api/ready")
        assert ready.status_code == 503 and ready.json()["ready"] is False, ready.text
        # Refused means not fanned out: bob never sees what could not be made durable.
        await yjs.call("set", name="alice", key="notes", value="never")
        refusals = len(await _notices(yjs, "alice", "update_refused"))
        await wait_for(
            lambda: _more(_notices(yjs, "alice", "update_refused"), refusals - 1),
            what="the next refusal",
        )
        assert await _seen_by(yjs, "bob", "notes") != "never"
        filler.unlink()
        await wait_for(lambda: _eq(_last_status(yjs, "bob"), "ok"), timeout=15, what="storage back")
        assert (await _health(running.server)).status_code == 200
        ready = await _health(running.server, "/api/ready")
        assert ready.status_code == 200 and ready.json() == {"ready": True, "reason": None}
        await yjs.call("set", name="alice", key="notes", value="after")
        await wait_for(lambda: _eq(_seen_by(yjs, "bob", "notes"), "after"), what="edits again")
        await running.server.stop()
        stored, _ = await stored_document(disk, invoice_id)
        assert stored["invoice"]["notes"] == "after"


async def test_a_database_file_deleted_while_running_refuses_edits_and_the_restart(
    tmp_path: Path, yjs: YjsClients
) -> None:
    async with server_with(tmp_path, {"alice": Role.EDITOR}) as running:
        invoice_id = await new_invoice(tmp_path, running.accounts["alice"])
        await _open(yjs, running, invoice_id, "alice")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path / f"cofacture.db{suffix}")
        await yjs.call("set", name="alice", key="notes", value="into the void")
        await wait_for(lambda: _eq(_last_status(yjs, "alice"), "unavailable"), what="notice")
        await yjs.call("set", name="alice", key="notes", value="refused")
        await wait_for(lambda: _notices(yjs, "alice", "update_refused"), what="edit refused")
        health = await _health(running.server)
        assert health.status_code == 503 and "deleted" in health.json()["reason"]
        await running.server.stop()
        server = running.server
        with pytest.raises(RuntimeError, match="refusing to start"):
            await server.start()
        assert not (tmp_path / "cofacture.db").exists()  # no empty database was made
        server.env["ALLOW_NEW_DATABASE"] = "1"  # the operator's explicit choice
        await server.start()
        assert (await _health(server)).status_code == 200


async def test_the_server_refuses_a_database_it_was_not_using(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    async with server_with(tmp_path, {"alice": Role.EDITOR}) as running:
        pass
    async with server_with(other, {"alice": Role.EDITOR}):
        pass
    server = running.server
    server.env["DATABASE_URL"] = f"sqlite+aiosqlite:///{other / 'cofacture.db'}"
    with pytest.raises(RuntimeError, match="refusing to start on another database"):
        await server.start()


async def _eq(value: Any, expected: object) -> bool:
    return bool(await value == expected)


async def _more(notices: Any, count: int) -> bool:
    return len(await notices) > count


async def _last_status(yjs: YjsClients, name: str) -> object:
    notices = await _notices(yjs, name, "storage")
    return notices[-1]["status"] if notices else None
