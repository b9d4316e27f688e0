"""A server start prints no warning: an operator reading the log must not learn to skip them."""

from __future__ import annotations

from pathlib import Path

from server.auth.permissions import Role
from tests.harness import ServerProcess, seed


async def test_the_server_starts_without_a_warning(tmp_path: Path) -> None:
    # A fresh interpreter, not a fork of the test zygote: import-time warnings count.
    await seed(tmp_path, users={"alice": Role.EDITOR})
    server = ServerProcess(tmp_path)
    server.fresh = True
    await server.start()
    try:
        log = (tmp_path / "server.log").read_text()
    finally:
        await server.stop()
    assert "startup complete" in log
    warnings = [line for line in log.splitlines() if "Warning" in line or "WARNING" in line]
    assert warnings == []
