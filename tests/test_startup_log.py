"""A server start prints no warning: an operator reading the log must not learn to skip them."""

from __future__ import annotations

from tests.conftest import Running


async def test_the_server_starts_without_a_warning(running: Running) -> None:
    log = (running.server.data_dir / "server.log").read_text()
    assert "startup complete" in log
    warnings = [line for line in log.splitlines() if "Warning" in line or "WARNING" in line]
    assert warnings == []
