"""server/core/changes.py: a change is told after its commit, once, and never after a
rollback; a failing listener never fails the change."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core import changes
from server.core.db import create_engine, migrate, sessions


async def test_told_after_commit_only(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await migrate(engine)
    heard: list[tuple[str | None, str]] = []

    def broken(_org: str | None, _invoice: str) -> None:
        raise RuntimeError("a live view failing")

    changes.register("test", lambda org, invoice: heard.append((org, invoice)))
    changes.register("broken", broken)
    try:
        async with sessions(engine).begin() as db:
            changes.after_commit(db, "org", "inv-1")
            changes.after_commit(db, "org", "inv-1")  # twice in one transaction: told once
            changes.after_commit(db, "org", "inv-2")
            assert heard == []  # not before the commit
        assert heard == [("org", "inv-1"), ("org", "inv-2")]
        with pytest.raises(ZeroDivisionError):
            async with sessions(engine).begin() as db:
                changes.after_commit(db, "org", "inv-3")
                raise ZeroDivisionError
        assert heard == [("org", "inv-1"), ("org", "inv-2")]  # rolled back: nothing
        changes.invoice_changed(None, "inv-4")
        assert heard[-1] == (None, "inv-4")
    finally:
        changes.register("test", None)
        changes.register("broken", None)
        await engine.dispose()
